// The submit page: live JSON syntax checks in the args/kwargs editors, the browser's own time
// zone as the default zone, and no "show details" button once htmx can fetch them. The
// server checks everything again; this only gives earlier feedback.
(function () {
  "use strict";

  var SHAPES = { array: "a JSON array, like [1, 2]", object: 'a JSON object, like {"a": 1}' };

  function shapeOf(value) {
    if (Array.isArray(value)) return "array";
    if (value === null) return "null";
    return typeof value === "object" ? "object" : typeof value;
  }

  function check(editor) {
    var status = document.querySelector('[data-json-status-for="' + editor.id + '"]');
    if (!status) return;
    var wanted = editor.getAttribute("data-json");
    var text = editor.value.trim();
    var problem = "";
    if (text) {
      try {
        var found = shapeOf(JSON.parse(text));
        if (found !== wanted) problem = "Must be " + SHAPES[wanted] + ", not " + found + ".";
      } catch (error) {
        problem = "Not valid JSON: " + error.message;
      }
    }
    status.textContent = problem || (text ? "JSON syntax OK." : "");
    status.classList.toggle("bad", Boolean(problem));
    status.classList.toggle("ok", !problem && Boolean(text));
    editor.setAttribute("aria-invalid", problem ? "true" : "false");
  }

  function guessZone() {
    var select = document.querySelector("select[data-guess-zone]");
    if (!select || typeof Intl === "undefined") return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        select.value = zone;
        return;
      }
    }
  }

  function start() {
    document.querySelectorAll("textarea[data-json]").forEach(function (editor) {
      // Not on load: after a refused submit the server's message already stands there.
      editor.addEventListener("input", function () { check(editor); });
    });
    if (window.htmx) {
      document.querySelectorAll("[data-nojs]").forEach(function (element) {
        element.hidden = true;
      });
    }
    guessZone();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
