"""The overview and a task's page when a dead worker still holds tasks, on a laptop and a phone.

The dead worker and its tasks are written into the site's database by `manage.py shell`
(no worker can be made to die on cue here); their leases end in half an hour, so the live
worker's maintenance passes leave them alone while the pages are looked at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import log_in, screenshot
from .site import Site, run_shell

pytestmark = pytest.mark.slow

DEAD_WORKER = "batch-host-07.example.internal-48211-9f3c"
SEED = f"""
from datetime import timedelta
from scheduler_core.models import TaskRecord, WorkerRecord
from scheduler_core.storage.db_clock import DatabaseClock
now = DatabaseClock().now()
WorkerRecord.objects.create(
    id={DEAD_WORKER!r}, hostname="batch-host-07.example.internal", pid=48211,
    queues=["reports"], concurrency=16, started_at=now - timedelta(hours=2),
    last_heartbeat=now - timedelta(minutes=4), state="dead",
)
for n in range(12):
    task = TaskRecord.objects.create(
        name="demo.tasks.sleep_for", queue="reports", status="running", attempt=1 + n % 3,
        max_attempts=3, run_after=now, enqueued_at=now, started_at=now - timedelta(minutes=5),
        attempt_started_at=now - timedelta(minutes=5),
        worker_id={DEAD_WORKER!r}, worker_ids=[{DEAD_WORKER!r}],
        lease_expires_at=now + timedelta(minutes=30 + n),
    )
    if n == 0:
        print(task.id)
"""


@pytest.fixture(scope="module")
def held_task_id(site: Site) -> str:
    """Seed the dead worker and its 12 tasks once; the id of the one rescued first."""
    return run_shell(site, SEED).strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("width", "height", "suffix"), [(1440, 900, "laptop"), (390, 844, "phone")]
)
def test_dead_holders_show_on_the_overview_and_the_task_page(
    page: Page, held_task_id: str, width: int, height: int, suffix: str
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "vic")

    page.goto("/")
    held = page.locator("table.held-by-dead tbody tr")
    expect(held).to_have_count(10)
    expect(page.locator("[data-held-by-dead]")).to_contain_text("12 running tasks")
    expect(held.first).to_contain_text(re.compile(r"rescue due in (29|30) min \d+ s"))
    expect(page.get_by_text("12 in all; the 10 listed")).to_be_visible()
    _fits(page, "/")
    screenshot(page, f"overview-dead-holders-{suffix}")

    page.goto(f"/tasks/{held_task_id}/")
    notice = page.locator("[data-held-by-gone]")
    expect(notice).to_contain_text(f"Held by worker {DEAD_WORKER}, which was declared dead")
    expect(notice).to_contain_text("it will be retried, with 2 attempts left.")
    _fits(page, "task page")
    screenshot(page, f"task-dead-holder-{suffix}")


def _fits(page: Page, where: str) -> None:
    # Nothing wider than the window: the page scrolls vertically only (tables scroll inside).
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{where} is {overflow}px wider than the window"
