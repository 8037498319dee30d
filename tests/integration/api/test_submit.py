"""POST /api/v1/tasks and /tasks/batch: submit one task or many."""

from __future__ import annotations

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.models import AuditEntry
from scheduler_core.services import MAX_BATCH_SIZE

from .conftest import MakeClient, post

TASKS = "/api/v1/tasks"


def test_submit_stores_the_task_with_the_registered_defaults(
    operator: Client, services: Services, alias: str
) -> None:
    response = post(operator, TASKS, {"name": "demo.tasks.add", "args": [1, 2]})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["args"], body["status"]) == ("demo.tasks.add", [1, 2], "ready")
    stored = services.tasks.status(body["id"])
    assert (stored.queue, stored.max_attempts) == ("default", 3)
    [entry] = AuditEntry.objects.using(alias).all()
    assert (entry.action, entry.actor, entry.task_ids, entry.source) == (
        "submit",
        "operator-user",
        [body["id"]],
        "api",
    )


def test_submit_takes_options(operator: Client) -> None:
    response = post(
        operator,
        TASKS,
        {
            "name": "demo.tasks.add",
            "kwargs": {"a": 1, "b": 2},
            "queue": "reports",
            "priority": 7,
            "max_attempts": 9,
            "run_after": "2999-01-01T00:00:00Z",
        },
    )

    body = response.json()
    assert (body["queue"], body["priority"], body["max_attempts"], body["status"]) == (
        "reports",
        7,
        9,
        "scheduled",
    )


def test_arguments_must_fit_the_task(operator: Client) -> None:
    response = post(operator, TASKS, {"name": "demo.tasks.add", "args": [1, 2, 3]})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "args"


def test_same_unique_key_same_payload_returns_the_live_task(operator: Client) -> None:
    body = {"name": "tests.integration.backend.sample_tasks.send_welcome", "args": [5]}
    first = post(operator, TASKS, body)
    second = post(operator, TASKS, body)

    # 200, not 201: nothing was created.
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]


def test_same_unique_key_other_payload_is_a_conflict(operator: Client) -> None:
    post(operator, TASKS, {"name": "demo.tasks.add", "args": [1, 2], "unique_key": "k"})
    response = post(operator, TASKS, {"name": "demo.tasks.add", "args": [3, 4], "unique_key": "k"})

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "unique_key_conflict",
        "message": response.json()["error"]["message"],
        "field": "unique_key",
    }


def test_batch_stores_all_in_order(operator: Client, services: Services) -> None:
    tasks = [{"name": "demo.tasks.add", "args": [n, n]} for n in range(3)]

    response = post(operator, f"{TASKS}/batch", {"tasks": tasks})

    assert response.status_code == 201
    assert [task["args"] for task in response.json()["tasks"]] == [[0, 0], [1, 1], [2, 2]]


def test_batch_with_one_bad_task_stores_none(operator: Client, services: Services) -> None:
    tasks = [{"name": "demo.tasks.add", "args": [1, 2]}, {"name": "demo.tasks.noop", "queue": "!"}]

    response = post(operator, f"{TASKS}/batch", {"tasks": tasks})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "tasks[1].queue"
    assert sum(services.tasks.counts().values()) == 0


def test_batch_names_the_unknown_task(operator: Client) -> None:
    tasks = [{"name": "demo.tasks.add", "args": [1, 2]}, {"name": "os.system", "args": ["id"]}]

    response = post(operator, f"{TASKS}/batch", {"tasks": tasks})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "tasks[1].name"


def test_batch_over_the_limit_is_refused(operator: Client) -> None:
    tasks = [{"name": "demo.tasks.noop"}] * (MAX_BATCH_SIZE + 1)

    response = post(operator, f"{TASKS}/batch", {"tasks": tasks})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "tasks"


@pytest.mark.parametrize("role", ["viewer", ""])
def test_only_operators_submit(client_for: MakeClient, role: str) -> None:
    response = post(client_for(role), TASKS, {"name": "demo.tasks.noop"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
