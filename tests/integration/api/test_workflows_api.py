"""/api/v1/workflows: enqueue, list, inspect, cancel and retry-failed, with roles and audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.models import AuditEntry
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

from .conftest import MakeClient, post

WORKFLOWS = "/api/v1/workflows"
LEASE = timedelta(minutes=1)


def diamond(name: str = "diamond", **first: Any) -> dict[str, Any]:
    return {
        "name": name,
        "steps": [
            {"key": "a", "task": "demo.tasks.add", "args": [1, 2], **first},
            {"key": "b", "task": "demo.tasks.add", "args": [3, 4], "after": ["a"]},
            {"key": "c", "task": "demo.tasks.noop", "after": ["a"]},
            {"key": "d", "task": "demo.tasks.noop", "after": ["b", "c"]},
        ],
    }


def test_enqueue_stores_the_run_and_audits_it(operator: Client, alias: str) -> None:
    response = post(operator, WORKFLOWS, diamond())

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "running"
    steps = {step["key"]: step for step in body["steps"]}
    assert [step["key"] for step in body["steps"]][0] == "a"
    assert (steps["a"]["status"], steps["d"]["status"]) == ("ready", "blocked")
    assert steps["d"]["after"] == ["b", "c"]
    assert steps["d"]["parents_left"] == 2
    entry = AuditEntry.objects.using(alias).get(action="submit_workflow")
    assert (entry.target, entry.count) == (body["id"], 4)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"after": ["nope"]}, "steps['a'].after"),
        ({"task": "no.such.task"}, "steps['a']"),
        ({"args": [1]}, "steps['a'].args"),
        ({"after": ["d"]}, "cycle: a -> b -> d -> a"),
    ],
    ids=["unknown-key", "unknown-task", "bad-arguments", "cycle"],
)
def test_a_bad_step_is_refused_naming_it_and_nothing_is_stored(
    operator: Client, services: Services, change: dict[str, Any], field: str
) -> None:
    response = post(operator, WORKFLOWS, diamond(**change))

    assert response.status_code in (400, 404, 422), response.json()
    error = response.json()["error"]
    assert field in f"{error.get('field')} {error['message']}", error
    assert services.workflows.list_runs() == []


def test_list_filters_by_name_and_status(operator: Client) -> None:
    post(operator, WORKFLOWS, diamond("first"))
    second = post(operator, WORKFLOWS, diamond("second")).json()
    post(operator, f"{WORKFLOWS}/{second['id']}/cancel")

    by_name = operator.get(WORKFLOWS, {"name": "first"}).json()["items"]
    cancelled = operator.get(WORKFLOWS, {"status": "cancelled"}).json()["items"]

    assert [run["name"] for run in by_name] == ["first"]
    assert by_name[0]["counts"] == {"ready": 1, "blocked": 3}
    assert [run["name"] for run in cancelled] == ["second"]


def test_retry_failed_re_arms_the_steps_below(
    operator: Client, services: Services, alias: str
) -> None:
    run = post(operator, WORKFLOWS, diamond(max_attempts=1, queue="doomed")).json()
    [claimed] = DjangoQueue(DjangoTaskRepository(alias)).claim("w1", ["doomed"], 1, LEASE)
    services.workers.fail(claimed, ValueError("boom"), retryable=False)
    failed = operator.get(f"{WORKFLOWS}/{run['id']}").json()
    assert {s["key"]: s["status"] for s in failed["steps"]} == {
        "a": "failed",
        "b": "cancelled",
        "c": "cancelled",
        "d": "cancelled",
    }
    assert {s["upstream_failed"] for s in failed["steps"][1:]} == {"a"}

    response = post(operator, f"{WORKFLOWS}/{run['id']}/retry-failed")

    assert response.json() == {"changed": 1, "skipped": 0}
    after = operator.get(f"{WORKFLOWS}/{run['id']}").json()
    assert [s["status"] for s in after["steps"]] == ["ready", "blocked", "blocked", "blocked"]
    assert (
        AuditEntry.objects.using(alias).filter(action="retry_workflow", target=run["id"]).exists()
    )


def test_viewers_read_but_do_not_act(client_for: MakeClient, operator: Client) -> None:
    run = post(operator, WORKFLOWS, diamond()).json()
    viewer = client_for("viewer")

    assert viewer.get(f"{WORKFLOWS}/{run['id']}").status_code == 200
    assert post(viewer, WORKFLOWS, diamond()).status_code == 403
    assert post(viewer, f"{WORKFLOWS}/{run['id']}/cancel").status_code == 403
    assert post(viewer, f"{WORKFLOWS}/{run['id']}/retry-failed").status_code == 403


def test_unknown_run_is_404(operator: Client) -> None:
    response = operator.get(f"{WORKFLOWS}/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404


def test_the_openapi_document_lists_the_workflow_routes(operator: Client) -> None:
    paths = operator.get("/api/v1/openapi.json").json()["paths"]

    assert {
        "/api/v1/workflows",
        "/api/v1/workflows/{run_id}",
        "/api/v1/workflows/{run_id}/cancel",
        "/api/v1/workflows/{run_id}/retry-failed",
    } <= set(paths)
