"""GET, list, cancel, retry, run now and delete tasks through the API."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.models import AuditEntry
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

from .conftest import MakeClient, post

TASKS = "/api/v1/tasks"
LEASE = timedelta(minutes=1)


def _failed_task(services: Services, alias: str) -> str:
    """A task that ran once, raised, and failed for good."""
    task = services.tasks.submit(
        SubmitRequest(name="demo.tasks.add", args=[1, 2], max_attempts=1, queue="doomed")
    ).task
    [claimed] = DjangoQueue(DjangoTaskRepository(alias)).claim("w1", ["doomed"], 1, LEASE)
    services.workers.fail(claimed, ValueError("boom"))
    return str(task.id)


def test_get_shows_errors_attempts_and_workers(
    operator: Client, services: Services, alias: str
) -> None:
    task_id = _failed_task(services, alias)

    body = operator.get(f"{TASKS}/{task_id}").json()

    assert (body["status"], body["attempt"], body["worker_ids"]) == ("failed", 1, ["w1"])
    [error] = body["errors"]
    assert error["exception_type"] == "builtins.ValueError"
    assert "boom" in error["traceback"]


def test_get_unknown_task_is_404(operator: Client, services: Services) -> None:
    response = operator.get(f"{TASKS}/{uuid4()}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_filters_and_pages(operator: Client, services: Services) -> None:
    for n in range(3):
        services.tasks.submit(SubmitRequest(name="demo.tasks.add", args=[n, n]))
    services.tasks.submit(SubmitRequest(name="demo.tasks.noop", queue="other"))

    first = operator.get(TASKS, {"queue": "default", "limit": "2"}).json()
    cursor: str = first["next_cursor"]
    second = operator.get(TASKS, {"queue": "default", "limit": "2", "cursor": cursor})

    # Tasks enqueued within one clock tick tie on time and are ordered by their random ids.
    pages = [t["args"][0] for t in first["items"]], [t["args"][0] for t in second.json()["items"]]
    assert (len(pages[0]), sorted(pages[0] + pages[1])) == (2, [0, 1, 2])
    assert second.json()["next_cursor"] is None
    only_ready = operator.get(TASKS, {"status": ["ready"], "name": "demo.tasks.noop"}).json()
    assert [t["queue"] for t in only_ready["items"]] == ["other"]


def test_cancel_then_retry_then_cancel_again(
    operator: Client, services: Services, alias: str
) -> None:
    task = services.tasks.submit(SubmitRequest(name="demo.tasks.noop")).task

    cancelled = post(operator, f"{TASKS}/{task.id}/cancel")
    again = post(operator, f"{TASKS}/{task.id}/cancel")
    retried = post(operator, f"{TASKS}/{task.id}/retry")

    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_state")
    assert (retried.status_code, retried.json()["status"]) == (200, "ready")
    entries = AuditEntry.objects.using(alias).order_by("id")
    assert [(e.action, e.from_status) for e in entries] == [
        ("cancel", "ready"),
        ("retry", "cancelled"),
    ]


def test_retry_of_a_waiting_task_is_a_conflict(operator: Client, services: Services) -> None:
    task = services.tasks.submit(SubmitRequest(name="demo.tasks.noop")).task

    response = post(operator, f"{TASKS}/{task.id}/retry")

    assert response.status_code == 409


def test_run_now_makes_a_scheduled_task_ready(operator: Client, services: Services) -> None:
    later = services.clock.now() + timedelta(hours=1)
    task = services.tasks.submit(SubmitRequest(name="demo.tasks.noop", run_after=later)).task

    response = post(operator, f"{TASKS}/{task.id}/run-now")

    assert response.json()["status"] == "ready"
    assert post(operator, f"{TASKS}/{task.id}/run-now").status_code == 409


def test_delete_needs_admin_and_a_finished_task(
    client_for: MakeClient, operator: Client, services: Services, alias: str
) -> None:
    admin = client_for("admin")
    live = services.tasks.submit(SubmitRequest(name="demo.tasks.noop")).task
    finished_id = _failed_task(services, alias)

    assert operator.delete(f"{TASKS}/{finished_id}").status_code == 403
    assert admin.delete(f"{TASKS}/{live.id}").status_code == 409
    assert admin.delete(f"{TASKS}/{finished_id}").status_code == 204
    assert admin.delete(f"{TASKS}/{finished_id}").status_code == 404
    assert services.tasks.status(live.id).status is TaskStatus.READY


def test_viewer_reads_but_cannot_act(client_for: MakeClient, services: Services) -> None:
    viewer = client_for("viewer")
    task = services.tasks.submit(SubmitRequest(name="demo.tasks.noop")).task

    assert viewer.get(f"{TASKS}/{task.id}").status_code == 200
    for action in ("cancel", "retry", "run-now"):
        assert post(viewer, f"{TASKS}/{task.id}/{action}").status_code == 403
    assert viewer.delete(f"{TASKS}/{task.id}").status_code == 403
    assert services.tasks.status(task.id).status is TaskStatus.READY
