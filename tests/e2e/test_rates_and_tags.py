"""In a real browser: the queue page's rate form, and finding tasks by tag."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import log_in, screenshot
from .test_operator_flows import TASK_PAGE

pytestmark = pytest.mark.slow


def submit_tagged(page: Page, tags: str) -> str:
    """Submit a delayed no-op carrying `tags` through the form; the new task's id."""
    page.goto("/tasks/new/")
    page.get_by_label("Task", exact=True).select_option("demo.tasks.noop")
    page.get_by_label("Delay (seconds)").fill("3600")
    page.get_by_label("Tags").fill(tags)
    page.get_by_role("button", name="Submit task").click()
    expect(page).to_have_url(TASK_PAGE)
    match = re.search(r"/tasks/([0-9a-f-]{36})/$", page.url)
    assert match is not None
    return match.group(1)


def row_link(page: Page, task_id: str) -> Locator:
    """The link to a task's page from its row of the task list."""
    return page.locator(f'#task-table a[href="/tasks/{task_id}/"]')


def test_an_operator_sets_a_rate_sees_a_bad_one_refused_and_clears_it(page: Page) -> None:
    log_in(page, "olga")
    submit_tagged(page, "rate-e2e")
    page.goto("/queues/")
    row = page.locator("tr", has=page.locator("#rate-default"))
    rate_form = row.locator("form.rate-form")

    page.locator("#rate-default").fill("0")
    rate_form.get_by_role("button", name="Set").click()
    expect(page.locator("#rate-default")).to_have_attribute("aria-invalid", "true")
    expect(row.locator(".errorlist")).to_contain_text("greater than or equal to 1")
    screenshot(page, "queue-rate-error")

    page.locator("#rate-default").fill("5")
    page.locator("#rate-per-default").select_option("minute")
    rate_form.get_by_role("button", name="Set").click()
    expect(page.locator(".messages")).to_contain_text("At most 5 per minute")
    expect(page.locator("#rate-default")).to_have_value("5")
    expect(page.locator("#rate-per-default")).to_have_value("minute")
    screenshot(page, "queue-rate-set")

    rate_form.get_by_role("button", name="Clear").click()
    expect(page.locator(".messages")).to_contain_text("no rate limit now")
    expect(page.locator("#rate-default")).to_have_value("")


def test_an_operator_finds_a_customers_tasks_by_tag(page: Page) -> None:
    log_in(page, "olga")
    mine = submit_tagged(page, "customer:e2e-1, billing")
    other = submit_tagged(page, "customer:e2e-2")

    page.goto("/tasks/")
    page.get_by_label("Tag").fill("customer:e2e-1")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"tag=customer%3Ae2e-1"))
    table = page.locator("#task-table")
    expect(row_link(page, mine)).to_have_count(1)
    expect(row_link(page, other)).to_have_count(0)
    expect(table).to_contain_text("1 task match this filter")
    screenshot(page, "tasks-by-tag")

    # A tag on a task's page links to the list of every task carrying it.
    page.goto(f"/tasks/{other}/")
    page.locator("a.tag", has_text="customer:e2e-2").click()
    expect(row_link(page, other)).to_have_count(1)
    expect(row_link(page, mine)).to_have_count(0)
