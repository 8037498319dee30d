"""The outcome writer and the heartbeat never deadlock on the task rows they both lock.

One writer transaction stamps the starts of attempts still running and then stores the
endings of others; the heartbeat extends the leases of all of them in one statement. Each
locked its rows in its own order, so a writer holding a high row and wanting a low one
could meet a heartbeat holding the low one and wanting the high one. PostgreSQL broke the
cycle after deadlock_timeout (1 s) by failing one side: the writer fell back to writing
one by one, or the heartbeat failed; repeated, the worker could be declared dead.

The tests make each interleaving certain with a third connection holding one row while
the two queue for it. Both sides now lock in id order, the writer all its rows first: the
first test (in both directions) fails without the writer's order, the second without the
heartbeat's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.executor.codec import Outcome
from scheduler_core.executor.held import HeldAttempts
from scheduler_core.executor.outcomes import OutcomeRecorder
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository
from tests.integration.storage.test_claim_rules import add_due

from .conftest import wait_until

LEASE = timedelta(minutes=1)


@pytest.fixture
def tasks(alias: str) -> DjangoTaskRepository:
    return DjangoTaskRepository(alias)


def waiting_for_a_lock(watcher: psycopg.Connection[Any]) -> int:
    """How many sessions of this database wait for a lock.

    `watcher` must be in autocommit: inside a transaction pg_stat_activity is read once.
    """
    row = watcher.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    ).fetchone()
    assert row is not None
    return int(row[0])


def in_thread(work: Callable[[], object], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def race(
    alias: str,
    services: Services,
    tasks: DjangoTaskRepository,
    held_elsewhere: Task,
    ended: Task | None,
    *started: Task,
) -> tuple[list[BaseException], list[Task]]:
    """Heartbeat, then writer, each queued for a row a third connection holds; then free it.

    The heartbeat extends the leases of all the rows' attempts; the writer stores that
    `ended` succeeded and stamps that `started` began (with no `ended`, a round of starts
    alone). Returns what either side raised and the tasks the heartbeat extended. The
    writer's own DatabaseError does not escape it (record_many falls back to one-by-one
    writes, mark_started tries again, each with a warning the caller reads).
    """
    rows = (held_elsewhere, *started) if ended is None else (held_elsewhere, ended, *started)
    running = {task.id: task for task in rows}
    held = HeldAttempts()
    held.hold(running.values())
    recorder = OutcomeRecorder(services, alias, held)
    pairs = [(task.id, task.attempt) for task in running.values()]

    def writer() -> None:
        if ended is None:
            recorder.mark_started(list(started))
            return
        done = Outcome(task_id=ended.id, attempt=ended.attempt, succeeded=True, result=7)
        recorder.record_many([(ended, done)], list(started))

    errors: list[BaseException] = []
    extended: list[Task] = []
    params = connections[alias].get_connection_params()
    for key in ("cursor_factory", "context"):
        params.pop(key, None)
    with psycopg.connect(**params) as locker, psycopg.connect(**params, autocommit=True) as watcher:
        locker.execute(
            "SELECT id FROM scheduler_task WHERE id = %s FOR UPDATE", [held_elsewhere.id]
        )
        beat = in_thread(lambda: extended.extend(tasks.extend_leases("w1", pairs, LEASE)), errors)
        wait_until(lambda: waiting_for_a_lock(watcher) == 1 or errors, 10, "the heartbeat to queue")
        assert not errors, errors
        write = in_thread(writer, errors)
        wait_until(lambda: waiting_for_a_lock(watcher) == 2 or errors, 10, "the writer to queue")
        time.sleep(0.2)
        locker.rollback()
        beat.join(timeout=30)
        write.join(timeout=30)
    return errors, extended


@pytest.fixture(autouse=True)
def postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("row locks are PostgreSQL's; SQLite has one write lock for the file")


@pytest.mark.parametrize("ends", ["low", "high"])
def test_a_writer_stamping_one_row_and_ending_another_never_deadlocks_a_heartbeat(
    alias: str,
    services: Services,
    tasks: DjangoTaskRepository,
    caplog: pytest.LogCaptureFixture,
    ends: str,
) -> None:
    """The heartbeat queues for the low row holding nothing; the writer takes one row and
    queues behind it for the other, unless it locks both, lowest first, before either.

    Ending the low row and stamping the high one was the writer's transaction: it stamped
    first. Ending the high row and stamping the low one is its one-statement round on
    PostgreSQL (storage/round_write.py), whose update of the endings runs first.
    """
    add_due(tasks, 2)
    queue = DjangoQueue(tasks)
    low, high = sorted(queue.claim("w1", ["default"], 2, LEASE), key=lambda task: task.id)
    queue.close()
    ended, started = (low, high) if ends == "low" else (high, low)
    caplog.set_level(logging.WARNING, logger="scheduler_core.executor.outcomes")

    errors, extended = race(alias, services, tasks, low, ended, started)

    assert not errors, errors
    assert "writing 1 outcomes together failed" not in caplog.text
    assert {task.id for task in extended} >= {started.id}
    assert tasks.get(ended.id).status is TaskStatus.SUCCEEDED
    assert tasks.get(started.id).attempt_started_at is not None


def test_a_heartbeat_meeting_rows_highest_first_never_deadlocks_an_ordered_writer(
    alias: str,
    services: Services,
    tasks: DjangoTaskRepository,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The heartbeat's side of the order: its UPDATE met rows in heap order, not id order.

    The rows are made running highest id first, so their new versions lie in the heap in
    that order, as claims by priority can leave them. A heartbeat scanning in heap order
    takes the high row and queues for the middle one (held elsewhere); the writer, in id
    order, takes the low row and queues for the high one; the middle row is freed and the
    heartbeat wants the low row: a cycle, unless the heartbeat too locks lowest id first.
    """
    low, middle, high = running_highest_id_first(alias, tasks, 3)
    caplog.set_level(logging.WARNING, logger="scheduler_core.executor.outcomes")

    errors, extended = race(alias, services, tasks, middle, low, high)

    assert not errors, errors
    assert "writing 1 outcomes together failed" not in caplog.text
    assert {task.id for task in extended} >= {middle.id, high.id}
    assert tasks.get(low.id).status is TaskStatus.SUCCEEDED


def running_highest_id_first(alias: str, tasks: DjangoTaskRepository, count: int) -> list[Task]:
    """`count` tasks running for w1, lowest id first, made running highest id first: their
    new row versions lie in the heap, and in the running rows' indexes, in that order, as
    claims by priority can leave them."""
    rows = sorted(add_due(tasks, count), key=lambda task: task.id)
    with connections[alias].cursor() as cursor:
        for task in reversed(rows):
            cursor.execute(
                "UPDATE scheduler_task SET status = 'running', attempt = 1, worker_id = 'w1',"
                " started_at = now(), lease_expires_at = now() + interval '1 minute'"
                " WHERE id = %s",
                [task.id],
            )
    return [tasks.get(task.id) for task in rows]


def test_a_round_of_starts_alone_never_deadlocks_a_heartbeat(
    alias: str,
    services: Services,
    tasks: DjangoTaskRepository,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A writer round with starts and no outcome (tasks that outlive a round) stamps them in
    a statement of its own. Meeting the rows in heap order it takes the high row and queues
    for the low one, which the heartbeat holds while it queues for the middle one (held
    elsewhere); the middle row is freed and the heartbeat wants the high row: a cycle,
    unless the stamp too locks lowest id first."""
    low, middle, high = running_highest_id_first(alias, tasks, 3)
    caplog.set_level(logging.WARNING, logger="scheduler_core.executor.outcomes")

    errors, extended = race(alias, services, tasks, middle, None, low, high)

    assert not errors, errors
    assert "stamping 2 starts failed" not in caplog.text
    assert {task.id for task in extended} >= {middle.id, low.id, high.id}
    assert tasks.get(low.id).attempt_started_at is not None
    assert tasks.get(high.id).attempt_started_at is not None
