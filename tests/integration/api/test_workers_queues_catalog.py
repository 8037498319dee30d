"""GET /workers, /workers/{id}, /queues and /catalog."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Worker
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.domain.progress import Progress
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

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


def test_a_worker_shows_the_tasks_it_runs(operator: Client, services: Services) -> None:
    # The running tasks come from the tasks the worker holds: the API once showed none
    # while the dashboard listed them.
    now = services.clock.now()
    worker = Worker(
        id="host-1:43",
        hostname="host-1",
        pid=43,
        queues=("default",),
        concurrency=2,
        started_at=now,
        last_heartbeat=now,
    )
    services.workers.register(worker)
    submitted = services.tasks.submit(SubmitRequest(name="demo.tasks.noop")).task
    [claimed] = services.workers.claim(services.workers.get_worker(worker.id), 1)

    shown = operator.get(f"{API}/workers/host-1:43").json()
    [listed] = operator.get(f"{API}/workers").json()

    assert claimed.id == submitted.id
    assert shown["active_task_ids"] == [str(submitted.id)]
    assert listed["active_task_ids"] == [str(submitted.id)]


def test_queues_count_by_status_and_age_the_oldest_due_task(
    operator: Client, services: Services
) -> None:
    past = services.clock.now() - timedelta(minutes=5)
    services.tasks.submit(SubmitRequest(name="demo.tasks.noop", queue="mail", run_after=past))
    services.tasks.submit(SubmitRequest(name="demo.tasks.noop", queue="mail"))
    cancelled = services.tasks.submit(SubmitRequest(name="demo.tasks.noop")).task
    services.tasks.cancel(cancelled.id)

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


def test_catalog_gives_the_effective_retry_policy(client_for: MakeClient) -> None:
    entries = {e["name"]: e for e in client_for("viewer").get(f"{API}/catalog").json()}

    imports = entries["demo.tasks.import_rows"]
    assert imports["soft_timeout"] == 50
    assert imports["retry_policy"][:3] == [
        "up to 4 attempts",
        "retries only on OSError",
        "never retries on ValueError",
    ]
    assert entries["demo.tasks.add"]["retry_policy"][1] == "retries on every exception"


def test_a_task_resource_carries_its_progress(
    client_for: MakeClient, services: Services, alias: str
) -> None:
    task = services.tasks.submit(SubmitRequest(name="demo.tasks.add", args=[1, 2])).task
    [claimed] = DjangoQueue(DjangoTaskRepository(alias)).claim(
        "w1", ["default"], 1, timedelta(minutes=1)
    )
    services.workers.record_progress(
        "w1", [(task.id, claimed.attempt, Progress.reported(1, 4, "a quarter"))]
    )

    body = client_for("viewer").get(f"{API}/tasks/{task.id}").json()

    assert body["progress"]["done"] == 1 and body["progress"]["total"] == 4
    assert (body["progress"]["message"], body["progress"]["percent"]) == ("a quarter", 25)
    assert body["progress"]["at"] is not None
    assert body["snoozes"] == 0
