"""POST /schedules/{name}/run-now, and who may pause, resume and run schedules."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import PageRequest, Schedule, Task, TaskFilter
from scheduler_core.models import AuditEntry

from .conftest import MakeClient, post

API = "/api/v1/schedules"
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])
NIGHTLY: dict[str, Any] = {
    "name": "nightly",
    "task": "demo.tasks.noop",
    "cron": "0 3 * * *",
    "queue": "reports",
    "priority": 3,
}


def _tasks(services: Services) -> list[Task]:
    return list(services.tasks.list(TaskFilter(), PageRequest(limit=100)).items)


def test_run_now_submits_one_task_and_keeps_the_next_run(
    operator: Client, services: Services, alias: str
) -> None:
    created = services.schedules.create(Schedule(**NIGHTLY))

    response = post(operator, f"{API}/nightly/run-now")

    assert response.status_code == 201
    body = response.json()
    [task] = _tasks(services)
    assert body["id"] == str(task.id)
    assert (body["name"], body["queue"], body["priority"]) == ("demo.tasks.noop", "reports", 3)
    assert task.unique_key is not None and task.unique_key.startswith("schedule:nightly:")
    assert services.schedules.get("nightly").next_run_at == created.next_run_at
    entry = AuditEntry.objects.using(alias).get()
    assert (entry.action, entry.target, entry.source) == ("run_schedule_now", "nightly", "api")
    assert entry.task_ids == [str(task.id)]


def test_run_now_of_a_paused_schedule_still_submits(operator: Client, services: Services) -> None:
    services.schedules.create(Schedule(**NIGHTLY, enabled=False))

    assert post(operator, f"{API}/nightly/run-now").status_code == 201
    assert len(_tasks(services)) == 1
    assert services.schedules.get("nightly").enabled is False


def test_run_now_of_an_unknown_schedule_is_404(operator: Client, services: Services) -> None:
    response = post(operator, f"{API}/nope/run-now")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert _tasks(services) == []


def test_a_viewer_may_not_run_pause_or_resume(
    client_for: MakeClient, services: Services, alias: str
) -> None:
    services.schedules.create(Schedule(**NIGHTLY))
    viewer = client_for("viewer")

    for action in ("run-now", "pause", "resume"):
        assert post(viewer, f"{API}/nightly/{action}").status_code == 403
    assert _tasks(services) == []
    assert services.schedules.get("nightly").enabled is True
    assert not AuditEntry.objects.using(alias).exists()


def test_an_operator_may_pause_and_resume_but_not_change(
    operator: Client, services: Services
) -> None:
    services.schedules.create(Schedule(**NIGHTLY))

    assert post(operator, f"{API}/nightly/pause").json()["enabled"] is False
    assert post(operator, f"{API}/nightly/resume").json()["enabled"] is True
    patch = operator.patch(f"{API}/nightly", {"cron": "@hourly"}, content_type="application/json")
    assert patch.status_code == 403
    assert operator.delete(f"{API}/nightly").status_code == 403


def test_run_now_needs_a_post(operator: Client, services: Services) -> None:
    services.schedules.create(Schedule(**NIGHTLY))

    assert operator.get(f"{API}/nightly/run-now").status_code == 405
    assert _tasks(services) == []
