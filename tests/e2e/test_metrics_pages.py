"""Issue 17 points 3 and 7 and the admin's task list in a real browser: the metrics pages at
1440x900 and 390x844 (charts, tables, links from the overview and the task list), a
worker's load and Resume, and the admin's task list showing every column at 1440 px.
Screenshots go to artifacts/screenshots/ (issue17-metrics-*.png, issue17-admin-*.png)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import log_in, screenshot
from .test_dashboard_round_two import SIZES, fits_the_window
from .test_operator_flows import submit

pytestmark = pytest.mark.slow


def finished_tasks(page: Page) -> None:
    """A task that succeeds and one that fails, both finished."""
    submit(page, "demo.tasks.add", args="[2, 40]")
    expect(page.locator("dl.facts .badge").first).to_contain_text("succeeded", timeout=30_000)
    submit(page, "demo.tasks.always_fails", kwargs='{"message": "metrics"}')
    expect(page.locator("dl.facts .badge").first).to_contain_text("failed", timeout=30_000)


@pytest.mark.parametrize(("width", "height", "suffix"), SIZES)
def test_the_metrics_pages_draw_their_charts_and_tables(
    page: Page, width: int, height: int, suffix: str
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    # Each size makes its own finished tasks: it must not lean on another test's.
    log_in(page, "olga")
    finished_tasks(page)
    if suffix == "phone":
        # The phone run reads as a viewer.
        page.context.clear_cookies()
        log_in(page, "vic")

    # From the task list filtered to a name, to that name's metrics.
    page.goto("/tasks/?name=demo.tasks.add")
    page.locator("[data-metrics-link]").click()
    expect(page).to_have_url(re.compile(r"/stats/tasks/demo\.tasks\.add/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("demo.tasks.add")
    page.get_by_role("navigation", name="Window").get_by_role("link", name="1h").click()
    expect(page.locator('#metrics-summary [data-figure="finished"]')).not_to_have_text("0")
    expect(page.locator('#metrics-summary [data-figure="run_1"]')).to_contain_text("≤")
    expect(page.locator("figure.chart-card svg.chart")).to_have_count(4)
    fits_the_window(page)
    screenshot(page, f"issue17-metrics-task-{suffix}")

    # All tasks: a row per name and per queue, and the table of the charts opens.
    page.goto("/stats/?window=24h")
    failing = page.locator("table.metrics-breakdown tr", has_text="demo.tasks.always_fails")
    expect(failing.locator('[data-figure="failure_rate"]')).to_have_text("100.0%")
    page.get_by_text("The charts as a table").click()
    expect(page.locator("#metrics-buckets tbody tr")).to_have_count(96)
    fits_the_window(page)
    screenshot(page, f"issue17-metrics-all-{suffix}")

    # From the overview, a queue's name opens its tasks and its link opens its metrics.
    page.goto("/")
    if suffix == "phone":
        page.get_by_role("button", name="☰ Menu").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Metrics")
    ).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="API docs")
    ).to_be_visible()
    page.get_by_role("link", name="Metrics of queue default").first.click()
    expect(page).to_have_url(re.compile(r"/stats/queues/default/$"))
    expect(page.locator("table.metrics-breakdown").first).to_contain_text("demo.tasks.add")
    page.goto("/")
    page.locator("table.queue-counts").get_by_role("link", name="default", exact=True).click()
    expect(page).to_have_url(re.compile(r"/tasks/\?queue=default$"))


def test_the_admin_task_list_shows_every_column_at_1440(page: Page) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "ada")
    submit(page, "demo.tasks.add", args="[1, 1]")
    page.goto("/admin/scheduler_core/taskrecord/")
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    clipped = page.evaluate(
        """() => {
            const results = document.querySelector('#changelist .results') ||
                document.querySelector('#result_list').parentElement;
            const table = document.querySelector('#result_list');
            return {
                scroll: results.scrollWidth - results.clientWidth,
                page: document.documentElement.scrollWidth - window.innerWidth,
                right: table.getBoundingClientRect().right - window.innerWidth,
            };
        }"""
    )
    screenshot(page, "issue17-admin-tasks-laptop")
    assert clipped["scroll"] <= 1, clipped
    assert clipped["page"] <= 1, clipped
    assert clipped["right"] <= 1, clipped
