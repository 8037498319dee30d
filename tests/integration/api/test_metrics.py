"""/metrics: derived from the database, equal to what the tables say; token or loopback only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families
from pytest_django import Settings

from api.histograms import gauge_histogram
from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.models import TaskEvent, TaskRecord
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

LEASE = timedelta(minutes=1)


def _scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_equal_the_database_after_known_tasks(services: Services, alias: str) -> None:
    submit = services.tasks.submit
    queue = DjangoQueue(DjangoTaskRepository(alias))
    ok = submit(SubmitRequest(name="demo.tasks.noop", queue="work")).task
    submit(SubmitRequest(name="demo.tasks.noop", queue="work", max_attempts=2))
    waiting = submit(SubmitRequest(name="demo.tasks.noop", queue="mail")).task
    for task in queue.claim("w1", ["work"], 2, LEASE):
        if task.id == ok.id:
            services.workers.complete(task, None)
        else:
            services.workers.fail(task, ValueError("first"))
    services.tasks.cancel(waiting.id)

    metrics = _scrape(Client())

    assert metrics[("scheduler_tasks", (("queue", "work"), ("status", "succeeded")))] == 1
    assert metrics[("scheduler_tasks", (("queue", "work"), ("status", "retrying")))] == 1
    assert metrics[("scheduler_tasks", (("queue", "mail"), ("status", "cancelled")))] == 1
    assert (
        metrics[("scheduler_tasks_enqueued_total", ())] == TaskRecord.objects.using(alias).count()
    )
    events = TaskEvent.objects.using(alias)
    expected = {
        "started": events.filter(to_status="running").count(),
        "succeeded": events.filter(to_status="succeeded").count(),
        "retried": events.filter(to_status="retrying").count(),
        "cancelled": events.filter(to_status="cancelled").count(),
        "failed": events.filter(to_status="failed").count(),
        "rescued": events.filter(actor="rescuer").count(),
    }
    assert expected == {
        "started": 2,
        "succeeded": 1,
        "retried": 1,
        "cancelled": 1,
        "failed": 0,
        "rescued": 0,
    }
    for name, value in expected.items():
        assert metrics[(f"scheduler_tasks_{name}_total", ())] == value
    assert metrics[("scheduler_workers_live", ())] == 0
    finished = TaskRecord.objects.using(alias).filter(status__in=["succeeded", "failed"]).count()
    for name in ("scheduler_task_run_seconds", "scheduler_task_queue_wait_seconds"):
        assert metrics[(f"{name}_gcount", ())] == finished == 1
        assert metrics[(f"{name}_bucket", (("le", "+Inf"),))] == 1


def test_histogram_buckets_count_values_up_to_their_bound() -> None:
    family = gauge_histogram("h", "test", [0.01, 0.02, 5000.0])

    buckets = {s.labels["le"]: s.value for s in family.samples if s.name == "h_bucket"}
    assert (buckets["0.01"], buckets["0.05"], buckets["1800.0"], buckets["+Inf"]) == (1, 2, 2, 3)
    [total] = [s.value for s in family.samples if s.name == "h_gsum"]
    assert total == 5000.03


@pytest.mark.parametrize("backend", ["sqlite"])
def test_metrics_refuse_other_hosts_without_the_token(
    services: Services, settings: Settings
) -> None:
    remote = Client(REMOTE_ADDR="10.1.2.3")
    assert remote.get("/metrics").status_code == 403

    settings.SCHEDULER = {**settings.SCHEDULER, "METRICS_TOKEN": "s3cret"}

    assert Client().get("/metrics").status_code == 403
    assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert remote.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200
