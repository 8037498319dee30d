"""Logging in and finding one's way around, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from .conftest import log_in, screenshot

pytestmark = pytest.mark.slow


def test_an_anonymous_visit_lands_on_the_login_page(page: Page) -> None:
    page.goto("/tasks/")
    expect(page).to_have_url("/accounts/login/?next=/tasks/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot(page, "login")


def test_a_wrong_password_is_refused(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")


def test_an_operator_logs_in_and_out(page: Page) -> None:
    log_in(page, "olga")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.locator(".username")).to_have_text("olga")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_the_pages_load_no_external_resources_and_run_no_blocked_script(page: Page) -> None:
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, "ada")
    for path in ["/", "/tasks/", "/tasks/new/", "/workers/", "/queues/", "/schedules/", "/audit/"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    base = page.url.split("/", 3)[:3]
    outside = [url for url in requests if url.split("/", 3)[:3] != base]
    assert outside == []
    assert problems == []
