"""Retention: which finished tasks a pruning pass deletes, and in what batches."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from scheduler_core.domain import Task, TaskError, TaskNotFound, TaskStatus
from scheduler_core.memory import InMemoryStorage, InMemoryTaskRepository, ManualClock
from scheduler_core.services import TaskPruner

from .conftest import LEASE, POLICY


def finish(storage: InMemoryStorage, clock: ManualClock, status: TaskStatus) -> str:
    """Submit, claim and finish one task at the clock's now; return its id as text."""
    task = Task.create("app.send_email", now=clock.now())
    task.claim("w1", now=clock.now(), lease=LEASE)
    if status is TaskStatus.SUCCEEDED:
        task.succeed(None, attempt=1, now=clock.now())
    elif status is TaskStatus.CANCELLED:
        task.cancel(now=clock.now(), attempt=1)
    else:
        error = TaskError(
            attempt=1, exception_type="E", message="m", traceback="", failed_at=clock.now()
        )
        task.fail(
            error,
            attempt=1,
            now=clock.now(),
            policy=POLICY,
            rng=random.Random(1),
            retryable=False,
        )
    storage.tasks.add(task)
    return str(task.id)


def exists(storage: InMemoryStorage, task_id: str) -> bool:
    try:
        storage.tasks.get(UUID(task_id))
    except TaskNotFound:
        return False
    return True


def test_failed_tasks_outlive_succeeded_and_cancelled_ones(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    old = {
        s: finish(storage, clock, s)
        for s in (TaskStatus.SUCCEEDED, TaskStatus.CANCELLED, TaskStatus.FAILED)
    }
    clock.advance(timedelta(days=10))
    recent = finish(storage, clock, TaskStatus.SUCCEEDED)
    pruner = TaskPruner(tasks=storage.tasks, clock=clock)

    report = pruner.prune(succeeded_after=timedelta(days=7), failed_after=timedelta(days=30))

    assert (report.succeeded_or_cancelled, report.failed, report.deleted) == (2, 0, 2)
    assert not exists(storage, old[TaskStatus.SUCCEEDED])
    assert not exists(storage, old[TaskStatus.CANCELLED])
    assert exists(storage, old[TaskStatus.FAILED])
    assert exists(storage, recent)

    clock.advance(timedelta(days=21))
    assert pruner.prune(failed_after=timedelta(days=30)).failed == 1
    assert not exists(storage, old[TaskStatus.FAILED])


def test_prunes_in_batches_until_nothing_is_left(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    for _ in range(7):
        finish(storage, clock, TaskStatus.SUCCEEDED)
    clock.advance(timedelta(days=8))

    report = TaskPruner(tasks=storage.tasks, clock=clock).prune(batch_size=3)

    assert report.succeeded_or_cancelled == 7
    assert sum(storage.tasks.count_by_status().values()) == 0


def test_live_tasks_are_never_pruned(storage: InMemoryStorage, clock: ManualClock) -> None:
    waiting = Task.create("app.send_email", now=clock.now())
    storage.tasks.add(waiting)
    [running] = storage.queue.claim("w1", ["default"], 1, LEASE)
    storage.tasks.add(Task.create("app.send_email", now=clock.now()))
    clock.advance(timedelta(days=400))

    TaskPruner(tasks=storage.tasks, clock=clock).prune(
        succeeded_after=timedelta(0), failed_after=timedelta(0)
    )

    assert storage.tasks.get(running.id).status is TaskStatus.RUNNING
    assert storage.tasks.count_by_status()[TaskStatus.READY] == 1


def test_negative_retention_is_refused(storage: InMemoryStorage, clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="negative"):
        TaskPruner(tasks=storage.tasks, clock=clock).prune(succeeded_after=timedelta(days=-1))


class ActivityRecordingTasks(InMemoryTaskRepository):
    """In-memory tasks that remember when activity was pruned up to, and claim a count."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.activity_pruned_before: list[datetime] = []

    def prune_activity(self, before: datetime) -> int:
        self.activity_pruned_before.append(before)
        return 5


def test_activity_is_pruned_past_its_own_retention(clock: ManualClock) -> None:
    tasks = ActivityRecordingTasks(clock)

    report = TaskPruner(tasks=tasks, clock=clock).prune(activity_after=timedelta(days=3))

    assert tasks.activity_pruned_before == [clock.now() - timedelta(days=3)]
    assert report.activity_minutes == 5
    # Rollup rows are not tasks.
    assert report.deleted == 0


def test_negative_activity_retention_is_refused(clock: ManualClock) -> None:
    tasks = ActivityRecordingTasks(clock)
    with pytest.raises(ValueError, match="negative"):
        TaskPruner(tasks=tasks, clock=clock).prune(activity_after=timedelta(seconds=-1))
    assert tasks.activity_pruned_before == []


def test_the_in_memory_storage_keeps_no_activity_to_prune(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    report = TaskPruner(tasks=storage.tasks, clock=clock).prune()

    assert report.activity_minutes == 0
