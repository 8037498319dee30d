"""Rescue of expired leases against a real database: the decision table and its races."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import WORKER_LOST, RetryPolicy, StaleTask, Task, TaskStatus
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

EXPIRED = timedelta(0)
FRESH = timedelta(minutes=10)


def running(
    tasks: DjangoTaskRepository, queue: DjangoQueue, lease: timedelta, **fields: Any
) -> Task:
    """A stored task claimed by w1 with the given lease, its attempt started."""
    now = tasks.clock.now()
    tasks.add(Task.create("demo.noop", now=now, run_after=now - timedelta(seconds=1), **fields))
    [claimed] = queue.claim("w1", ["default"], 1, lease)
    assert tasks.mark_started("w1", [(claimed.id, claimed.attempt)]) == 1
    return tasks.get(claimed.id)


def test_rescue_decision_table(
    services: Services, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    fresh = running(tasks, queue, FRESH)
    retried = running(tasks, queue, EXPIRED, max_attempts=3)
    exhausted = running(tasks, queue, EXPIRED, max_attempts=1)
    cancelled = running(tasks, queue, EXPIRED, max_attempts=3)
    services.tasks.cancel(cancelled.id, actor="operator")
    done = running(tasks, queue, FRESH)
    services.workers.complete(done, "ok")
    # More than one batch: the fixture's rescuer takes two at a time.
    extra = [running(tasks, queue, EXPIRED) for _ in range(3)]

    report = services.rescuer.rescue_expired()

    assert (report.retried, report.failed, report.cancelled) == (4, 1, 1)
    assert tasks.get(fresh.id).status is TaskStatus.RUNNING
    assert tasks.get(retried.id).status is TaskStatus.RETRYING
    lost = tasks.get(exhausted.id)
    assert lost.status is TaskStatus.FAILED
    assert lost.errors[-1].exception_type == WORKER_LOST
    assert "w1" in lost.errors[-1].message
    assert tasks.get(cancelled.id).status is TaskStatus.CANCELLED
    assert tasks.get(done.id).status is TaskStatus.SUCCEEDED
    assert all(tasks.get(t.id).status is TaskStatus.RETRYING for t in extra)
    # Idempotent: a second pass finds nothing left to do.
    assert services.rescuer.rescue_expired().rescued == 0


def test_a_task_completed_between_scan_and_write_is_left_alone(
    services: Services, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    task = running(tasks, queue, EXPIRED)
    scanned = tasks.find_expired_leases(10)
    # The worker was only slow: it reports success after the rescuer's scan.
    services.workers.complete(task, "late but fine")

    scanned[0].rescue(now=tasks.clock.now(), policy=RetryPolicy(), rng=random.Random(1))
    with pytest.raises(StaleTask):
        tasks.update(scanned[0], expected_status=TaskStatus.RUNNING, expected_attempt=1)
    stored = tasks.get(task.id)
    assert stored.status is TaskStatus.SUCCEEDED and stored.result == "late but fine"
    assert stored.errors == []


def test_rescuers_racing_rescue_each_task_once(
    services: Services, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    expired = [running(tasks, queue, EXPIRED) for _ in range(12)]
    reports = []
    gate = threading.Barrier(3)

    def rescue() -> None:
        gate.wait()
        try:
            reports.append(services.rescuer.rescue_expired())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rescue) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(report.rescued for report in reports) == len(expired)
    for task in expired:
        moves = [t for t in tasks.transitions(task.id) if t.actor == "rescuer"]
        assert len(moves) == 1
