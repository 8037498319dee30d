"""An outcome writer's round of successes: one statement on PostgreSQL, fenced as ever.

The round used to be a transaction of seven statements (the lock in id order, the stamp of
the starts, a savepoint, the update, the transitions, the release, besides the clock read)
and is now one (storage/round_write.py). What it must still do on both engines: store only
the attempts that are still the worker's, log exactly their transitions, stamp the starts
of attempts still running, and keep the queue counters true.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.executor.codec import Outcome
from scheduler_core.executor.endings import Settled
from scheduler_core.executor.held import HeldAttempts
from scheduler_core.executor.outcomes import OutcomeRecorder
from scheduler_core.models import TaskEvent, TaskRecord
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository
from scheduler_core.storage.counters.reads import queue_counts

from .test_claim_rules import add_due

LEASE = timedelta(minutes=1)


def succeeded(task: Task, result: object = None) -> Settled:
    return task, Outcome(task_id=task.id, attempt=task.attempt, succeeded=True, result=result)


def claim(tasks: DjangoTaskRepository, queue: DjangoQueue, count: int) -> list[Task]:
    add_due(tasks, count)
    claimed = queue.claim("w1", ["default"], count, LEASE)
    assert len(claimed) == count
    return claimed


def test_a_round_of_successes_and_starts_is_one_statement_on_postgresql(
    backend: str,
    alias: str,
    services: Services,
    tasks: DjangoTaskRepository,
    queue: DjangoQueue,
) -> None:
    if backend != "postgres":
        pytest.skip("SQLite has no data-modifying WITH; its round is one transaction")
    claimed = claim(tasks, queue, 6)
    recorder = OutcomeRecorder(services, alias, HeldAttempts())

    with CaptureQueriesContext(connections[alias]) as captured:
        recorder.record_many([succeeded(task) for task in claimed[:4]], claimed[4:])

    statements = [
        query["sql"]
        for query in captured.captured_queries
        # The services' clock reading (DatabaseClock) stamps the domain's transitions.
        if query["sql"] != "SELECT statement_timestamp()"
    ]
    assert len(statements) == 1, statements
    rows = TaskRecord.objects.using(alias)
    assert rows.filter(status="succeeded").count() == 4
    assert rows.filter(status="running", attempt_started_at__isnull=False).count() == 2


def test_a_round_stores_only_what_passed_its_fence_and_logs_only_that(
    alias: str, services: Services, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    claimed = claim(tasks, queue, 5)
    lost, cancelled, kept, with_result, running = claimed
    rows = TaskRecord.objects.using(alias)
    # Another worker's now (the rescuer gave it away); an operator asked to cancel one.
    rows.filter(id=lost.id).update(worker_id="w2")
    rows.filter(id=cancelled.id).update(cancel_requested=True)
    before = TaskEvent.objects.using(alias).count()
    recorder = OutcomeRecorder(services, alias, HeldAttempts())

    recorder.record_many(
        [
            succeeded(lost),
            succeeded(cancelled),
            succeeded(kept),
            succeeded(with_result, {"sum": 3, "items": [1, "two", None]}),
        ],
        [running],
    )

    stored = {record.id: record for record in rows.all()}
    assert stored[lost.id].status == "running"
    assert stored[lost.id].worker_id == "w2"
    assert stored[lost.id].attempt_started_at is None
    # The set-based write refuses a row with a cancel request it does not know of; the
    # one-by-one write then decides (the attempt finished first: it succeeded).
    assert stored[cancelled.id].status == "succeeded"
    assert stored[kept.id].status == "succeeded"
    assert stored[kept.id].result is None
    assert stored[kept.id].finished_at is not None
    assert stored[kept.id].lease_expires_at is None
    assert stored[with_result.id].result == {"sum": 3, "items": [1, "two", None]}
    assert stored[running.id].status == "running"
    assert stored[running.id].attempt_started_at is not None
    events = TaskEvent.objects.using(alias).order_by("id")[before:]
    logged = {(event.task_id, event.from_status, event.to_status) for event in events}
    assert (kept.id, "running", "succeeded") in logged
    assert (with_result.id, "running", "succeeded") in logged
    assert not [event for event in logged if event[0] == lost.id]
    assert len([event for event in events if event.task_id == cancelled.id]) == 1
    for event in events:
        if event.task_id in (kept.id, with_result.id):
            assert event.actor == "w1"
            assert event.attempt == 1


def test_the_counters_follow_a_round(
    alias: str, services: Services, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    claimed = claim(tasks, queue, 8)
    add_due(tasks, 3)
    recorder = OutcomeRecorder(services, alias, HeldAttempts())

    recorder.record_many([succeeded(task) for task in claimed[:5]], claimed[5:])

    counts = queue_counts(alias)["default"]
    assert counts.get(TaskStatus.SUCCEEDED, 0) == 5
    assert counts.get(TaskStatus.RUNNING, 0) == 3
    assert counts.get(TaskStatus.READY, 0) == 3
