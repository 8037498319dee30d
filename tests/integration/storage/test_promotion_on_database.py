"""Promotion and release rules only a real database can break: row locks, its clock."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from django.db import connections
from freezegun import freeze_time

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus, Worker
from scheduler_core.storage import DjangoTaskRepository

LEASE = timedelta(minutes=1)


def add_scheduled(tasks: DjangoTaskRepository, *delays: timedelta) -> list[Task]:
    """Store tasks created a minute ago as scheduled, due `delay` after now (negative: due)."""
    now = tasks.clock.now()
    made = [
        Task.create("demo.noop", now=now - timedelta(minutes=1), run_after=now + delay)
        for delay in delays
    ]
    tasks.add_many(made)
    return made


def test_promotion_skips_rows_another_connection_holds_locked(
    backend: str, alias: str, tasks: DjangoTaskRepository
) -> None:
    if backend != "postgres":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole file for a writer")
    held, *others = add_scheduled(tasks, *[timedelta(seconds=-1)] * 3)
    params = connections[alias].get_connection_params()
    for key in ("cursor_factory", "context"):
        params.pop(key, None)
    with psycopg.connect(**params) as locker:
        # As a claim in flight would: promotion must neither wait for it nor overwrite it.
        locker.execute("SELECT id FROM scheduler_task WHERE id = %s FOR UPDATE", [held.id])
        assert tasks.promote_due(10) == len(others)
        locker.rollback()
    assert tasks.get(held.id).status is TaskStatus.SCHEDULED
    assert tasks.promote_due(10) == 1


def test_promotion_follows_the_database_clock_not_the_workers(
    tasks: DjangoTaskRepository,
) -> None:
    due, later = add_scheduled(tasks, timedelta(seconds=-1), timedelta(minutes=10))
    before = tasks.clock.now()
    # The worker's clock runs an hour fast; the database decides what is due, and when.
    with freeze_time(before + timedelta(hours=1), tick=True):
        assert tasks.promote_due(10) == 1
    after = tasks.clock.now()

    assert tasks.get(later.id).status is TaskStatus.SCHEDULED
    [logged] = tasks.transitions(due.id)
    assert (logged.from_status, logged.to_status, logged.actor) == (
        TaskStatus.SCHEDULED,
        TaskStatus.READY,
        "promoter",
    )
    assert before <= logged.at <= after


def test_a_released_task_is_rescued_at_once_by_the_database_clock(
    services: Services, tasks: DjangoTaskRepository
) -> None:
    [task] = add_scheduled(tasks, timedelta(seconds=-1))
    now = tasks.clock.now()
    worker = Worker(
        id="w1",
        hostname="host-1",
        pid=4242,
        queues=("default",),
        concurrency=2,
        started_at=now,
        last_heartbeat=now,
    )
    services.workers.register(worker)
    [claimed] = services.workers.claim(services.workers.start("w1"), 2)
    services.workers.mark_started("w1", [(claimed.id, claimed.attempt)])

    # The worker's clock lags a day: the lease still ends by the database's clock.
    with freeze_time(now - timedelta(days=1), tick=True):
        released = services.workers.release(claimed)

    assert released.lease_expires_at is not None and released.lease_expires_at >= now
    assert services.rescuer.rescue_expired().retried == 1
    assert tasks.get(task.id).status is TaskStatus.RETRYING
