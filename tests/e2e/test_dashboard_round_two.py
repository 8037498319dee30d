"""Issue 17 in a real browser: find, triage, act, and the phone layout, at 1440x900 and
390x844. Screenshots go to artifacts/screenshots/ (issue17-*.png)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from .conftest import log_in, screenshot
from .site import ROOT, Site, _environment
from .test_operator_flows import TASK_PAGE, submit

pytestmark = pytest.mark.slow

SIZES = [(1440, 900, "laptop"), (390, 844, "phone")]


def fits_the_window(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the window"


def test_the_search_box_jumps_to_a_task_and_finds_a_name_by_its_end(page: Page) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "olga")
    url = submit(page, "demo.tasks.noop", delay="3600")
    task_id = url.rstrip("/").rsplit("/", 1)[-1]

    page.get_by_role("combobox", name="Find tasks").fill(task_id)
    page.get_by_role("combobox", name="Find tasks").press("Enter")
    expect(page).to_have_url(re.compile(rf"/tasks/{task_id}/$"))

    page.get_by_role("combobox", name="Find tasks").fill("noop")
    page.get_by_role("combobox", name="Find tasks").press("Enter")
    expect(page).to_have_url(re.compile(r"/tasks/\?name=demo\.tasks\.noop$"))
    expect(page.locator("#list-total")).to_contain_text("match this filter")
    expect(page.locator("[data-status-count=scheduled]")).not_to_have_text("0")
    screenshot(page, "issue17-find-laptop")


@pytest.mark.parametrize(("width", "height", "suffix"), SIZES)
def test_failures_are_grouped_and_a_group_is_retried_through_the_confirm_page(
    page: Page, width: int, height: int, suffix: str
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "olga")
    url = submit(page, "demo.tasks.always_fails", kwargs='{"message": "card declined"}')
    expect(page.locator("dl.facts .badge").first).to_contain_text("failed", timeout=30_000)

    page.goto("/tasks/?status=failed")
    expect(page.locator(".row-error").first).to_contain_text("card declined")
    page.goto("/failures/")
    group = page.locator("table.failures tbody tr", has_text="demo.tasks.always_fails")
    expect(group.first).to_contain_text("ValueError")
    fits_the_window(page)
    screenshot(page, f"issue17-failures-{suffix}")

    group.first.get_by_role("link", name="Retry all…").click()
    expect(page.locator("#bulk-count")).not_to_have_text("0")
    page.get_by_role("button", name=re.compile(r"^Retry \d+ task")).click()
    expect(page.locator(".messages, [role=alert], .message").first).to_contain_text("queued again")
    assert url


@pytest.mark.parametrize(("width", "height", "suffix"), SIZES)
def test_a_running_task_is_cancelled_within_seconds(
    page: Page, width: int, height: int, suffix: str
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "olga")
    submit(page, "demo.tasks.sleep_for", kwargs='{"seconds": 120}')
    badge = page.locator("dl.facts .badge").first
    expect(badge).to_contain_text("running", timeout=30_000)
    expect(page.locator("#live-controls .live-indicator")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    asked = time.monotonic()
    page.get_by_role("button", name="Cancel").first.click()
    # "cancelling" until the worker confirms, then cancelled, with no Live badge left.
    expect(badge).to_contain_text("cancelled", timeout=15_000)
    assert time.monotonic() - asked < 8
    expect(page.locator("#live-controls .live-indicator")).to_have_count(0)
    screenshot(page, f"issue17-cancelled-{suffix}")


def test_the_phone_layout_folds_the_nav_the_filters_and_the_bulk_actions(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "olga")
    page.goto("/tasks/")

    expect(page.locator("#mainnav")).to_be_hidden()
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator(".bulk-actions")).to_be_hidden()
    # With everything folded, the first task row is on the first screen.
    first_row = page.locator("table.tasks tbody tr").first
    if first_row.count():
        assert first_row.bounding_box()["y"] < 844  # type: ignore[index]
    page.get_by_role("button", name="☰ Menu").click()
    expect(page.locator("#mainnav")).to_be_visible()
    page.get_by_text("Actions…").click()
    expect(page.locator(".bulk-actions")).to_be_visible()
    fits_the_window(page)
    screenshot(page, "issue17-tasks-phone")

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/tasks/")
    expect(page.locator("#mainnav")).to_be_visible()
    expect(page.locator("form.filters")).to_be_visible()
    expect(page.get_by_role("button", name="☰ Menu")).to_be_hidden()
    screenshot(page, "issue17-tasks-laptop")


@pytest.fixture
def extra_worker(site: Site) -> Iterator[subprocess.Popen[bytes]]:
    """A second worker on a queue of its own, so quieting it leaves the site's worker be."""
    log = (site.logs / "extra-worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runworkers", "--queues", "side", "--worker-id",
         "side-worker", "--concurrency", "1", "--pool", "thread",
         # Heartbeats every 2 s: the page shows the memory the first one reports.
         "--lease", "6"],
        cwd=ROOT, env=_environment(site.database), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    yield process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=15)
    log.close()


@pytest.mark.parametrize(("width", "height", "suffix"), SIZES[:1])
def test_an_operator_quiets_then_stops_a_worker_from_its_page(
    page: Page, extra_worker: subprocess.Popen[bytes], width: int, height: int, suffix: str
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "olga")
    deadline = time.monotonic() + 60
    while True:
        # 404 until the worker registers; then its page, running once its slots are up.
        page.goto("/workers/side-worker/")
        badges = page.locator("dl.facts .badge")
        if badges.count() and "running" in badges.first.inner_text():
            break
        assert time.monotonic() < deadline, "the extra worker did not start"
        time.sleep(1)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Quiet").click()
    expect(page.locator("[data-command=quiet]")).to_have_attribute(
        "data-obeyed", "yes", timeout=10_000
    )
    screenshot(page, f"issue17-worker-quiet-{suffix}")

    # Resume takes the quiet back; the heartbeat has reported the worker's memory by now.
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("[data-command=resume]")).to_have_attribute(
        "data-obeyed", "yes", timeout=10_000
    )
    expect(page.get_by_role("button", name="Quiet")).to_be_visible()
    expect(page.locator("[data-rss]")).to_contain_text("resident", timeout=40_000)
    screenshot(page, f"issue17-worker-resumed-{suffix}")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Stop").click()
    extra_worker.wait(timeout=30)
    assert extra_worker.returncode == 0
    page.goto("/audit/")
    expect(page.locator("code.action", has_text="worker_stop")).to_have_count(1)
    assert TASK_PAGE
