"""GET /workers, /workers/{id}, /queues and /catalog."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Worker
from scheduler_core.domain.ports import SubmitRequest

from .conftest import MakeClient

API = "/api/v1"


def test_workers_are_listed_and_shown(operator: Client, services: Services) -> None:
    now = services.clock.now()
    services.workers.register(
        Worker(
            id="host-1:42",
            hostname="host-1",
            pid=42,
            queues=("default", "mail"),
            concurrency=4,
            started_at=now,
            last_heartbeat=now,
        )
    )

    listed = operator.get(f"{API}/workers").json()
    shown = operator.get(f"{API}/workers/host-1:42").json()

    assert [w["id"] for w in listed] == ["host-1:42"]
    assert (shown["queues"], shown["concurrency"], shown["state"]) == (
        ["default", "mail"],
        4,
        "starting",
    )
    assert operator.get(f"{API}/workers/nobody").status_code == 404


def test_queues_count_by_status_and_age_the_oldest_due_task(
    operator: Client, services: Services
) -> None:
    past = services.clock.now() - timedelta(minutes=5)
    services.scheduler.submit(SubmitRequest(name="demo.tasks.noop", queue="mail", run_after=past))
    services.scheduler.submit(SubmitRequest(name="demo.tasks.noop", queue="mail"))
    cancelled = services.scheduler.submit(SubmitRequest(name="demo.tasks.noop"))
    services.scheduler.cancel(cancelled.id)

    queues = {q["name"]: q for q in operator.get(f"{API}/queues").json()}

    assert set(queues) == {"default", "mail"}
    assert queues["mail"]["counts"]["ready"] == 2
    assert queues["default"]["counts"] == {
        **dict.fromkeys(queues["mail"]["counts"], 0),
        "cancelled": 1,
    }
    assert 299 <= queues["mail"]["oldest_ready_age_seconds"] < 400
    assert queues["default"]["oldest_ready_age_seconds"] is None


def test_catalog_lists_parameters_and_defaults(client_for: MakeClient) -> None:
    entries = {e["name"]: e for e in client_for("viewer").get(f"{API}/catalog").json()}

    add = entries["demo.tasks.add"]
    assert [(p["name"], p["required"], p["annotation"]) for p in add["parameters"]] == [
        ("a", True, "float"),
        ("b", True, "float"),
    ]
    assert (add["queue"], add["max_attempts"], add["timeout"]) == ("default", 3, None)
    assert entries["demo.tasks.sleep_for"]["timeout"] == 60
    # The context parameter is the worker's to fill, not the caller's.
    assert [p["name"] for p in entries["demo.tasks.report"]["parameters"]] == ["label"]
    assert entries["demo.tasks.report"]["parameters"][0]["default"] == "'report'"
