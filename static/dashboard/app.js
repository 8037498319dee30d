/* Dashboard behaviour: live polling that pauses when hidden or on request, row selection,
 * confirmations. No inline scripts and no eval, so the Content-Security-Policy stays strict.
 *
 * Live regions: an element with `data-live` and `hx-trigger="every 2s, live-refresh"`.
 * A poll is skipped while the tab is hidden, while the operator paused live updates (the
 * toggle with id "live-toggle"; the choice is kept in localStorage), and while a region holds
 * a checked row checkbox or the focus, so a refresh never eats a selection or typing. */
(function () {
  "use strict";
  var KEY = "scheduler.live.paused";

  function paused() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }

  function setPaused(value) {
    try { window.localStorage.setItem(KEY, value ? "1" : "0"); } catch (e) { /* private mode */ }
    renderToggle();
    if (!value) { refreshAll(); }
  }

  function renderToggle() {
    var toggle = document.getElementById("live-toggle");
    if (!toggle) { return; }
    var isPaused = paused();
    toggle.setAttribute("aria-pressed", isPaused ? "true" : "false");
    toggle.textContent = isPaused ? "▶ Resume live updates" : "❚❚ Pause live updates";
    document.documentElement.classList.toggle("live-paused", isPaused);
  }

  function busy(region) {
    if (region.querySelector("input[data-select]:checked")) { return true; }
    var active = document.activeElement;
    return !!(active && active !== document.body && region.contains(active) &&
      /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName));
  }

  function refreshAll() {
    if (!window.htmx) { return; }
    document.querySelectorAll("[data-live]").forEach(function (region) {
      window.htmx.trigger(region, "live-refresh");
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail.elt;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-live")) { return; }
    var requested = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    var manual = requested && requested.type === "live-refresh";
    if (document.hidden || paused() || (!manual && busy(region))) {
      event.preventDefault();
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !paused()) { refreshAll(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    if (target.id === "live-toggle") { setPaused(!paused()); }
    var confirmed = target.closest("[data-confirm]");
    if (confirmed && !window.confirm(confirmed.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  /* "Select all" checkbox: data-select-all="<group>" toggles every data-select="<group>". */
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement)) { return; }
    var group = target.getAttribute("data-select-all");
    if (group) {
      document.querySelectorAll('input[data-select="' + group + '"]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.hasAttribute("data-select") || group) { updateSelectionCount(); }
    if (target.hasAttribute("data-autosubmit") && target.form) { target.form.requestSubmit(); }
  });

  function updateSelectionCount() {
    document.querySelectorAll("[data-selection-count]").forEach(function (counter) {
      var group = counter.getAttribute("data-selection-count");
      var count = document.querySelectorAll('input[data-select="' + group + '"]:checked').length;
      counter.textContent = String(count);
      var bar = counter.closest("[data-selection-bar]");
      if (bar) { bar.classList.toggle("has-selection", count > 0); }
    });
  }

  // Phone width: the nav, the task filters and the bulk actions fold (issue 17). A <details>
  // works without script; this only closes the folds on a narrow screen at load, unless one
  // holds a form error, and opens or closes the nav.
  var NARROW = "(max-width: 720px)";

  function foldForWidth() {
    if (!window.matchMedia(NARROW).matches) { return; }
    document.querySelectorAll("details[data-fold-narrow]:not([data-keep-open])").forEach(
      function (fold) { fold.open = false; });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-nav-toggle]");
    if (!toggle) { return; }
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.documentElement.classList.toggle("nav-open", open);
  });

  document.addEventListener("DOMContentLoaded", function () {
    renderToggle(); updateSelectionCount(); foldForWidth();
  });
  document.addEventListener("htmx:afterSettle", function () { renderToggle(); updateSelectionCount(); });
})();
