"""The outcome writer and the heartbeat never deadlock on the task rows they both lock.

One writer transaction stamps the starts of attempts still running and then stores the
endings of others; the heartbeat extends the leases of all of them in one statement. Each
locked its rows in its own order, so a writer holding a high row and wanting a low one
could meet a heartbeat holding the low one and wanting the high one. PostgreSQL broke the
cycle after deadlock_timeout (1 s) by failing one side: the writer fell back to writing
one by one, or the heartbeat failed and, repeated, the worker was declared dead (a pause
test gave back 19 claims where 18 was its bound).

The test makes the interleaving certain with a third connection holding the low row: the
heartbeat queues for it first, holding nothing; the writer stamps the high row and queues
behind; the low row is freed. Both now lock in id order, the writer all its rows first.
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


def test_a_writer_stamping_a_high_row_and_ending_a_low_one_never_deadlocks_a_heartbeat(
    backend: str,
    alias: str,
    services: Services,
    tasks: DjangoTaskRepository,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if backend != "postgres":
        pytest.skip("row locks are PostgreSQL's; SQLite has one write lock for the file")
    add_due(tasks, 2)
    queue = DjangoQueue(tasks)
    low, high = sorted(queue.claim("w1", ["default"], 2, LEASE), key=lambda task: task.id)
    queue.close()
    held = HeldAttempts()
    held.hold([low, high])
    recorder = OutcomeRecorder(services, alias, held)
    done = Outcome(task_id=low.id, attempt=low.attempt, succeeded=True, result=7)
    pairs = [(low.id, low.attempt), (high.id, high.attempt)]
    errors: list[BaseException] = []
    extended: list[Task] = []

    params = connections[alias].get_connection_params()
    for key in ("cursor_factory", "context"):
        params.pop(key, None)
    with psycopg.connect(**params) as locker, psycopg.connect(**params, autocommit=True) as watcher:
        locker.execute("SELECT id FROM scheduler_task WHERE id = %s FOR UPDATE", [low.id])
        beat = in_thread(lambda: extended.extend(tasks.extend_leases("w1", pairs, LEASE)), errors)
        wait_until(lambda: waiting_for_a_lock(watcher) == 1 or errors, 10, "the heartbeat to queue")
        assert not errors, errors
        caplog.set_level(logging.WARNING, logger="scheduler_core.executor.outcomes")
        write = in_thread(lambda: recorder.record_many([(low, done)], [high]), errors)
        wait_until(lambda: waiting_for_a_lock(watcher) == 2, 10, "the writer to queue")
        time.sleep(0.2)
        locker.rollback()
        beat.join(timeout=30)
        write.join(timeout=30)

    assert not errors, errors
    assert "writing 1 outcomes together failed" not in caplog.text
    assert {task.id for task in extended} >= {high.id}
    assert tasks.get(low.id).status is TaskStatus.SUCCEEDED
    assert tasks.get(high.id).attempt_started_at is not None
