"""A running task's page says when its worker is dead, stopped or silent, and what comes next.

Run on SQLite and PostgreSQL: both must word the same notice from the same rows.
"""

from __future__ import annotations

import re
import time
from uuid import UUID

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskStatus

from ..held_rows import held_task, worker_row

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"])


def page(client: Client, task_id: object) -> str:
    """The task page's text, tags stripped and spaces squeezed."""
    html = client.get(f"/tasks/{task_id}/").content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_dead_workers_task_says_so_with_its_rescue(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    worker_row(alias, "w-live", "running", silent=1)
    worker_row(alias, "w-dead", "dead", silent=300)
    task = held_task(alias, "w-dead", lease_in=30.5, attempt=1, max_attempts=3)

    text = page(viewer, task.id)

    assert re.search(
        r"Held by worker w-dead , which was declared dead after its last heartbeat at "
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(5 min 0 s ago\)\.",
        text,
    )
    assert re.search(
        r"Its lease ends at [\d-]+ [\d:]+ UTC \( rescue due in 3[01] s \), then the next "
        r"maintenance pass rescues it: it will be retried, with 2 attempts left\.",
        text,
    )
    assert "No live worker is running" not in text


def test_a_last_attempt_will_fail_for_good(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    worker_row(alias, "w-dead", "dead", silent=300)
    task = held_task(alias, "w-dead", lease_in=-2.5, attempt=3, max_attempts=3)

    text = page(viewer, task.id)

    assert re.search(r"\( rescue overdue by [23] s \)", text)
    assert "it will fail for good, as attempt 3 of 3 was its last." in text
    # Only w-dead exists: nobody runs the maintenance pass.
    assert "No live worker is running, and only a live worker's maintenance pass rescues" in text


def test_a_claim_that_never_started_will_be_given_back(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    worker_row(alias, "w-dead", "dead", silent=300)
    task = held_task(alias, "w-dead", lease_in=-1, attempt=3, max_attempts=3, started=False)

    text = page(viewer, task.id)

    assert "its code never started, so it will be ready again at once without using up" in text


def test_a_cancel_request_makes_the_rescue_cancel(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    worker_row(alias, "w-stopped", "stopped", silent=30)
    task = held_task(alias, "w-stopped", lease_in=10, cancel_requested=True)

    text = page(viewer, task.id)

    assert "Held by worker w-stopped , which has stopped; its last heartbeat came at" in text
    assert "it will be cancelled, as was requested." in text


def test_a_silent_worker_is_named_with_its_silence(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    worker_row(alias, "w-stale", "running", silent=600)
    task = held_task(alias, "w-stale", lease_in=-400)

    text = page(viewer, task.id)

    assert re.search(
        r"Held by worker w-stale , which has not sent a heartbeat for 10 min [01] s "
        r"\(a worker counts as alive for 1 min 20 s\); a maintenance pass will declare it dead\.",
        text,
    )
    assert re.search(r"rescue overdue by 6 min 4[01] s", text)
    assert "Unless the worker comes back first and renews the lease." in text


def test_a_live_workers_task_has_no_notice(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    worker_row(alias, "w-live", "running", silent=1)
    task = held_task(alias, "w-live", lease_in=50)

    html = viewer.get(f"/tasks/{task.id}/").content.decode()

    assert "data-held-by-gone" not in html


def test_the_live_region_carries_the_notice(
    viewer: Client, on_backend: Services, alias: str
) -> None:
    worker_row(alias, "w-dead", "dead", silent=300)
    task = held_task(alias, "w-dead", lease_in=30)

    fragment = viewer.get(f"/tasks/{task.id}/", headers={"HX-Request": "true"}).content.decode()

    assert fragment.lstrip().startswith('<div id="task-live"')
    assert 'data-held-by-gone="dead"' in fragment


@pytest.mark.parametrize(
    ("attempt", "cancel_requested", "outcome"),
    [
        (1, False, TaskStatus.RETRYING),
        (3, False, TaskStatus.FAILED),
        (1, True, TaskStatus.CANCELLED),
    ],
)
def test_the_rescuer_does_what_the_page_said(
    viewer: Client,
    on_backend: Services,
    alias: str,
    attempt: int,
    cancel_requested: bool,
    outcome: TaskStatus,
) -> None:
    worker_row(alias, "w-dead", "dead", silent=300)
    task = held_task(
        alias, "w-dead", lease_in=0.2, attempt=attempt, cancel_requested=cancel_requested
    )
    words = {
        TaskStatus.RETRYING: "it will be retried",
        TaskStatus.FAILED: "it will fail for good",
        TaskStatus.CANCELLED: "it will be cancelled",
    }
    assert words[outcome] in page(viewer, task.id)

    time.sleep(0.3)
    assert on_backend.rescuer.rescue_expired().rescued == 1
    assert on_backend.tasks.status(UUID(str(task.id))).status is outcome
    assert "data-held-by-gone" not in viewer.get(f"/tasks/{task.id}/").content.decode()
