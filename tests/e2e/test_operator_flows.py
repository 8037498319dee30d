"""What an operator does all day, in a real browser against a running site and worker pool.

Each test leaves a full-page screenshot of the pages it passes through in
artifacts/screenshots/ (git-ignored), so a reviewer can look at what the browser saw.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import log_in, screenshot

pytestmark = pytest.mark.slow

TASK_PAGE = re.compile(r"/tasks/[0-9a-f-]{36}/$")


def submit(page: Page, name: str, *, args: str = "[]", kwargs: str = "{}", delay: str = "") -> str:
    """Fill in the submit form and send it; returns the new task's page URL."""
    page.goto("/tasks/new/")
    page.get_by_label("Task", exact=True).select_option(name)
    page.get_by_label("Positional arguments (args)").fill(args)
    page.get_by_label("Keyword arguments (kwargs)").fill(kwargs)
    if delay:
        page.get_by_label("Delay (seconds)").fill(delay)
    page.get_by_role("button", name="Submit task").click()
    expect(page).to_have_url(TASK_PAGE)
    return page.url


def status_of(page: Page) -> str:
    """The status badge text on a task's page ("✓ succeeded" and so on)."""
    return page.locator("dl.facts .badge").first.inner_text()


def test_a_submitted_task_reaches_succeeded_without_a_reload(page: Page) -> None:
    log_in(page, "olga")
    page.goto("/tasks/new/")
    screenshot(page, "submit-form")
    submit(page, "demo.tasks.add", args="[2, 40]")
    # The page was loaded while the task waited or ran; only htmx polling can show the end.
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    expect(page.locator("dl.facts .badge").first).to_contain_text("succeeded", timeout=30_000)
    assert navigations == []
    expect(page.get_by_role("heading", name="Result")).to_be_visible()
    expect(page.locator("body")).to_contain_text("42")
    screenshot(page, "task-succeeded")


def test_the_submit_form_shows_errors_next_to_the_fields_and_keeps_the_input(page: Page) -> None:
    log_in(page, "olga")
    page.goto("/tasks/new/")
    page.get_by_label("Task", exact=True).select_option("demo.tasks.add")
    page.get_by_label("Positional arguments (args)").fill("[1, 2")
    page.get_by_label("Priority").fill("1000")
    page.get_by_role("button", name="Submit task").click()
    field_errors = page.locator(".field.has-error")
    expect(field_errors).to_have_count(2)
    expect(page.get_by_label("Positional arguments (args)")).to_have_value("[1, 2")
    screenshot(page, "submit-form-errors")


def test_an_operator_cancels_a_delayed_task(page: Page) -> None:
    log_in(page, "olga")
    submit(page, "demo.tasks.noop", delay="3600")
    expect(page.locator("dl.facts .badge").first).to_contain_text("scheduled")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("cancelled")
    expect(page.locator("dl.facts .badge").first).to_contain_text("cancelled")
    screenshot(page, "task-cancelled")


def test_an_operator_retries_a_failed_task_and_it_runs_again(page: Page) -> None:
    log_in(page, "olga")
    url = submit(page, "demo.tasks.always_fails", kwargs='{"message": "<b>boom</b>"}')
    badge = page.locator("dl.facts .badge").first
    expect(badge).to_contain_text("failed", timeout=45_000)
    # The error message is shown as text, never as markup.
    expect(page.locator("body")).to_contain_text("<b>boom</b>")
    screenshot(page, "task-failed")
    page.get_by_role("button", name="Retry").click()
    expect(page.locator(".messages")).to_contain_text("queued again")
    page.goto(url)
    expect(badge).to_contain_text("failed", timeout=45_000)
    attempts = page.locator(".timeline > li")
    assert attempts.count() >= 4
    screenshot(page, "task-retried")


def test_the_audit_log_shows_who_did_what(page: Page) -> None:
    log_in(page, "olga")
    submit(page, "demo.tasks.noop", delay="3600")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("cancelled")
    task_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.goto("/audit/")
    rows = page.locator("tbody tr", has=page.locator(f'a[href="/tasks/{task_id}/"]'))
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("cancel")
    expect(rows.first).to_contain_text("olga")
    expect(rows.last).to_contain_text("submit")
    screenshot(page, "audit-log")


def test_a_viewer_sees_the_pages_but_no_action_buttons(page: Page) -> None:
    # A task of its own to look at: run alone, or after another file's tests emptied the
    # table, the list had none (the test relied on the tasks earlier tests left behind).
    log_in(page, "olga")
    submit(page, "demo.tasks.add", args="[1, 1]")
    page.context.clear_cookies()
    log_in(page, "vic")
    page.goto("/tasks/")
    expect(page.get_by_role("heading", name="Tasks")).to_be_visible()
    expect(page.get_by_role("link", name="Submit")).to_have_count(0)
    first_task = page.locator("tbody a[href^='/tasks/']").first
    first_task.click()
    expect(page).to_have_url(TASK_PAGE)
    expect(page.locator(".task-actions button")).to_have_count(0)


PAGES = {
    "overview": "/",
    "tasks": "/tasks/",
    "workers": "/workers/",
    "queues": "/queues/",
    "schedules": "/schedules/",
    "audit": "/audit/",
    "failures": "/failures/",
    "metrics": "/stats/?window=30d",
    "tokens": "/account/tokens/",
}


@pytest.mark.parametrize("width,suffix", [(1366, "laptop"), (390, "phone")])
def test_every_page_renders_on_a_laptop_and_a_phone(page: Page, width: int, suffix: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "ada")
    submit(page, "demo.tasks.sleep_for", kwargs='{"seconds": 0.2}')
    for name, path in PAGES.items():
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        # Nothing wider than the window: the page scrolls vertically only (tables scroll inside).
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than a {width}px window"
        screenshot(page, f"{name}-{suffix}")
