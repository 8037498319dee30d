"""A task's progress bar moves on its page while the worker runs it, without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import log_in, screenshot
from .test_operator_flows import submit

pytestmark = pytest.mark.slow


def test_the_progress_bar_moves_live_and_the_retry_policy_is_shown(page: Page) -> None:
    log_in(page, "olga")
    page.goto("/tasks/new/")
    page.get_by_label("Task", exact=True).select_option("demo.tasks.import_rows")
    # The submit form's task description gives the task's own retry policy.
    expect(page.locator("[data-retry-policy]")).to_contain_text("retries only on OSError")
    submit(page, "demo.tasks.import_rows", kwargs='{"rows": 16, "seconds_per_row": 0.5}')
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    bar = page.locator("[data-progress] progress")
    expect(bar).to_be_visible(timeout=30_000)
    first = bar.get_attribute("value") or ""
    expect(page.locator("[data-progress]")).to_contain_text(re.compile(r"imported row \d+ of 16"))
    screenshot(page, "task-progress")
    # Later polls show it further along, then finished.
    expect(bar).not_to_have_attribute("value", first, timeout=15_000)
    expect(page.locator("dl.facts .badge").first).to_contain_text("succeeded", timeout=30_000)
    expect(page.locator("[data-progress]")).to_contain_text("last reported: 100%")
    expect(page.locator("[data-retry-policy]")).to_contain_text("never retries on ValueError")
    assert navigations == []
