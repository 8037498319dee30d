"""Progress bars on the task page and in the list, the effective retry policy, snoozes."""

from __future__ import annotations

from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain.progress import Progress

from .conftest import XSS, Make, Submit, claim


def detail(task_id: object) -> str:
    return f"/tasks/{task_id}/"


def test_a_running_task_shows_its_progress_live_on_its_page_and_in_the_list(
    viewer: Client, services: Services, running: Make
) -> None:
    task = running()
    report = Progress.reported(3, 10, f"row 3 {XSS}")
    services.workers.record_progress(task.worker_id or "", [(task.id, task.attempt, report)])

    page = viewer.get(detail(task.id), headers={"HX-Request": "true"}).content.decode()
    listed = viewer.get("/tasks/", {"status": "running"}).content.decode()

    for body in (page, listed):
        assert '<progress value="3.0" max="10.0"' in body or '<progress value="3" max="10"' in body
        assert "30%" in body
        assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body


def test_without_a_total_the_bar_is_indeterminate(
    viewer: Client, services: Services, running: Make
) -> None:
    task = running()
    services.workers.record_progress("w1", [(task.id, task.attempt, Progress.reported(42))])

    body = viewer.get(detail(task.id)).content.decode()

    assert '<progress aria-label="Progress (no total)"></progress>' in body and "42 done" in body


def test_a_task_that_reported_nothing_shows_no_bar(viewer: Client, running: Make) -> None:
    body = viewer.get(detail(running().id)).content.decode()

    assert "data-progress" not in body


def test_the_task_page_shows_the_effective_retry_policy(viewer: Client, submit: Submit) -> None:
    plain = viewer.get(detail(submit().id)).content.decode()
    ruled = viewer.get(detail(submit("demo.tasks.import_rows").id)).content.decode()

    assert "up to 3 attempts" in plain and "retries on every exception" in plain
    assert "backoff: the worker&#x27;s" in plain
    assert "up to 4 attempts" in ruled
    assert "retries only on OSError" in ruled and "never retries on ValueError" in ruled
    assert "backoff: 5s × 3^(attempt−1), at most 300s, jitter 0.1" in ruled
    assert "soft time limit 50s" in ruled and "killed after 60s" in ruled


def test_a_snooze_shows_on_the_timeline_and_uses_no_attempt(
    viewer: Client, services: Services, submit: Submit
) -> None:
    task = claim(submit(queue="snoozy"))
    services.workers.snooze(task, 60)

    body = viewer.get(detail(task.id)).content.decode()

    assert "0 of 3" in body and "snoozed 1 time, which used no attempt" in body
    assert "snoozed for 60s" in body and "badge-scheduled" in body
