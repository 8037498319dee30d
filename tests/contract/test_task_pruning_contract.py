"""Pruning: only finished tasks past the cut-off go, with their history; live ones never."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from scheduler_core.domain import RetryPolicy, Task, TaskError, TaskNotFound, TaskStatus

from .factories import TaskFactory
from .kits import StorageKit

FINISHED = frozenset({TaskStatus.SUCCEEDED, TaskStatus.CANCELLED, TaskStatus.FAILED})


def finished_task(
    make_task: TaskFactory, status: TaskStatus, days_ago: float, **fields: Any
) -> Task:
    """A stored task that reached `status` that many days before the storage's now."""
    past = make_task.build().enqueued_at - timedelta(days=days_ago)
    task = make_task.build(enqueued_at=past, run_after=past, **fields)
    task.claim("w1", now=past, lease=timedelta(minutes=1))
    if status is TaskStatus.SUCCEEDED:
        task.succeed("done", attempt=1, now=past)
    elif status is TaskStatus.CANCELLED:
        task.cancel(now=past, attempt=1)
    else:
        error = TaskError(
            attempt=1, exception_type="ValueError", message="bad", traceback="", failed_at=past
        )
        task.fail(
            error,
            attempt=1,
            now=past,
            policy=RetryPolicy(),
            rng=random.Random(1),
            retryable=False,
        )
    make_task.store(task)
    return task


def test_prunes_only_the_named_statuses_before_the_cut_off(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    old_success = finished_task(make_task, TaskStatus.SUCCEEDED, days_ago=10)
    old_failure = finished_task(make_task, TaskStatus.FAILED, days_ago=10)
    recent_success = finished_task(make_task, TaskStatus.SUCCEEDED, days_ago=1)
    live = make_task.add()

    deleted = kit.tasks.prune(
        statuses=frozenset({TaskStatus.SUCCEEDED}),
        finished_before=kit.now() - timedelta(days=7),
        limit=100,
    )

    assert deleted == 1
    with pytest.raises(TaskNotFound):
        kit.tasks.get(old_success.id)
    assert kit.tasks.transitions(old_success.id) == []
    for kept in (old_failure, recent_success, live):
        assert kit.tasks.get(kept.id).id == kept.id


def test_prune_deletes_at_most_the_limit_oldest_first(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    tasks = [finished_task(make_task, TaskStatus.CANCELLED, days_ago=20 - n) for n in range(5)]

    assert kit.tasks.prune(statuses=FINISHED, finished_before=kit.now(), limit=2) == 2

    remaining = [t for t in tasks if _exists(kit, t)]
    assert remaining == tasks[2:]
    assert kit.tasks.prune(statuses=FINISHED, finished_before=kit.now(), limit=10) == 3


def test_prune_of_running_or_waiting_statuses_is_refused(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    task = make_task.add_running()

    for status in (TaskStatus.RUNNING, TaskStatus.READY, TaskStatus.RETRYING):
        with pytest.raises(ValueError, match="only finished tasks"):
            kit.tasks.prune(statuses=frozenset({status}), finished_before=kit.now(), limit=10)
    assert kit.tasks.get(task.id).status is TaskStatus.RUNNING


def _exists(kit: StorageKit, task: Task) -> bool:
    try:
        kit.tasks.get(task.id)
    except TaskNotFound:
        return False
    return True


def test_prune_needs_a_positive_limit(kit: StorageKit) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        kit.tasks.prune(statuses=FINISHED, finished_before=kit.now(), limit=0)
