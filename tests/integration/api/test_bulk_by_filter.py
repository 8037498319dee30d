"""POST /tasks/cancel and /tasks/retry: an action on every task the list's filters match."""

from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

import pytest
from django.test import Client

from api.routes import bulk as bulk_routes
from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.models import AuditEntry
from scheduler_core.services.bulk import BulkActions

from .conftest import MakeClient, post
from .test_task_actions import _failed_task

TASKS = "/api/v1/tasks"


def submit(services: Services, count: int, **fields: Any) -> list[str]:
    """Submit `count` no-op tasks; their ids."""
    request = SubmitRequest(name="demo.tasks.noop", **fields)
    return [str(services.tasks.submit(request).task.id) for _ in range(count)]


def status(services: Services, task_id: str) -> TaskStatus:
    """The task's status now."""
    return services.tasks.status(UUID(task_id)).status


def test_cancel_takes_the_tasks_the_filter_matches_and_is_audited(
    operator: Client, services: Services, alias: str
) -> None:
    tagged = submit(services, 3, queue="mail", tags=["customer:42"])
    untagged = submit(services, 2, queue="mail")

    response = post(operator, f"{TASKS}/cancel", {"queue": "mail", "tag": "customer:42"})

    assert response.status_code == 200
    body = response.json()
    assert (body["action"], body["done"], body["skipped"], body["capped"]) == (
        "cancel",
        3,
        0,
        False,
    )
    assert {status(services, t) for t in tagged} == {TaskStatus.CANCELLED}
    assert {status(services, t) for t in untagged} == {TaskStatus.READY}
    [entry] = AuditEntry.objects.using(alias).all()
    assert (entry.action, entry.source, entry.from_status) == ("bulk_cancel", "api", "ready")
    assert sorted(str(task_id) for task_id in entry.task_ids) == sorted(tagged)
    assert '"tag": "customer:42"' in entry.target


def test_retry_takes_only_the_failed_and_counts_the_rest(
    operator: Client, services: Services, alias: str
) -> None:
    failed = _failed_task(services, alias)
    submit(services, 2, queue="doomed")

    body = post(operator, f"{TASKS}/retry", {"queue": "doomed"}).json()

    assert (body["done"], body["skipped"]) == (1, 0)
    assert status(services, failed) is TaskStatus.READY
    assert AuditEntry.objects.using(alias).get().action == "bulk_retry"


def test_the_cap_stops_a_request_and_says_so(
    operator: Client, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_routes, "BulkActions", functools.partial(BulkActions, limit=2))
    submit(services, 5, queue="mail")

    body = post(operator, f"{TASKS}/cancel", {"queue": "mail"}).json()

    assert (body["done"], body["capped"], body["limit"]) == (2, True, 2)


def test_nothing_matching_changes_nothing_and_writes_no_audit(
    operator: Client, services: Services, alias: str
) -> None:
    submit(services, 2, queue="mail")

    body = post(operator, f"{TASKS}/retry", {"queue": "mail"}).json()

    assert (body["done"], body["skipped"]) == (0, 0)
    assert not AuditEntry.objects.using(alias).exists()


def test_every_task_needs_all_true(operator: Client, services: Services) -> None:
    ids = submit(services, 2)

    refused = post(operator, f"{TASKS}/cancel", {})
    assert (refused.status_code, refused.json()["error"]["field"]) == (422, "all")
    assert {status(services, t) for t in ids} == {TaskStatus.READY}

    assert post(operator, f"{TASKS}/cancel", {"all": True}).json()["done"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": ["nope"]}, "status"),
        ({"tag": "no spaces"}, "tag"),
        ({"enqueued_after": "yesterday"}, "enqueued_after"),
        ({"queue": "x" * 101}, "queue"),
        ({"quue": "mail"}, "quue"),
        ({"all": "yes please"}, "all"),
    ],
)
def test_a_bad_filter_is_a_4xx_naming_the_field(
    operator: Client, services: Services, alias: str, body: dict[str, Any], field: str
) -> None:
    submit(services, 1, queue="mail")

    response = post(operator, f"{TASKS}/cancel", body)

    assert response.status_code == 422
    assert field in response.json()["error"]["field"]
    assert not AuditEntry.objects.using(alias).exists()


def test_each_action_needs_its_permission(client_for: MakeClient, services: Services) -> None:
    ids = submit(services, 1, queue="mail")
    viewer = client_for("viewer")

    assert post(viewer, f"{TASKS}/cancel", {"queue": "mail"}).status_code == 403
    assert post(viewer, f"{TASKS}/retry", {"queue": "mail"}).status_code == 403
    assert status(services, ids[0]) is TaskStatus.READY
