"""Claim rules only a real database can break: row locks, the database clock, notifications."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connections
from freezegun import freeze_time

from scheduler_core.domain import QueueEmpty, Task, TaskStatus
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

LEASE = timedelta(minutes=1)


def add_due(tasks: DjangoTaskRepository, count: int, **fields: Any) -> list[Task]:
    """Store `count` tasks due a second ago."""
    now = tasks.clock.now()
    made = [
        Task.create("demo.noop", now=now, run_after=now - timedelta(seconds=1), args=[n], **fields)
        for n in range(count)
    ]
    tasks.add_many(made)
    return made


def test_claim_skips_rows_another_connection_holds_locked(
    backend: str, alias: str, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    if backend != "postgres":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole file for a writer")
    held, *others = add_due(tasks, 4)
    params = connections[alias].get_connection_params()
    for key in ("cursor_factory", "context"):
        params.pop(key, None)
    with psycopg.connect(**params) as locker:
        locker.execute("SELECT id FROM scheduler_task WHERE id = %s FOR UPDATE", [held.id])
        claimed = queue.claim("w1", ["default"], 10, LEASE)
        assert {task.id for task in claimed} == {task.id for task in others}
        locker.rollback()
    [late] = queue.claim("w2", ["default"], 10, LEASE)
    assert late.id == held.id


def test_claim_follows_the_database_clock_not_the_workers(
    tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    now = tasks.clock.now()
    later = Task.create("demo.noop", now=now, run_after=now + timedelta(minutes=10))
    [due] = add_due(tasks, 1)
    tasks.add(later)
    # The worker's clock runs an hour fast; the database decides what is due.
    with freeze_time(now + timedelta(hours=1), tick=True):
        claimed = queue.claim("w1", ["default"], 10, LEASE)
    assert [task.id for task in claimed] == [due.id]
    assert tasks.get(later.id).status is TaskStatus.SCHEDULED


def test_lease_is_set_by_the_database_clock(
    tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    add_due(tasks, 1)
    before = tasks.clock.now()
    with freeze_time(before - timedelta(days=1), tick=True):
        [claimed] = queue.claim("w1", ["default"], 1, LEASE)
    after = tasks.clock.now()
    assert claimed.started_at is not None and claimed.lease_expires_at is not None
    assert before <= claimed.started_at <= after
    assert before + LEASE <= claimed.lease_expires_at <= after + LEASE


def test_idle_claimer_wakes_on_commit(backend: str, tasks: DjangoTaskRepository) -> None:
    # A poll interval far above the wake-up bound shows the wake-up came from the enqueue.
    queue = DjangoQueue(tasks, poll_interval=10.0)
    got: list[Task] = []
    waited: list[float] = []

    def claimer() -> None:
        started = time.monotonic()
        try:
            got.append(queue.dequeue("w1", ["default"], LEASE, timeout=15))
        except QueueEmpty:
            pass
        finally:
            waited.append(time.monotonic() - started)
            connections.close_all()

    thread = threading.Thread(target=claimer)
    thread.start()
    time.sleep(0.3)  # let the claimer find the queue empty and start waiting
    [task] = add_due(tasks, 1)
    submitted = time.monotonic()
    queue.enqueue(task)
    thread.join(timeout=20)
    queue.close()
    assert [t.id for t in got] == [task.id]
    latency = time.monotonic() - submitted
    print(f"\n[{backend}] enqueue-to-claim of an idle claimer: {latency * 1000:.1f} ms")
    assert waited[0] < 5, "the claimer slept through the enqueue"
