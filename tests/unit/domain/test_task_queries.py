"""The questions a task answers about itself, and where Task.create puts a new task."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.defaults import DEFAULT_MAX_ATTEMPTS, DEFAULT_QUEUE
from tests.unit.domain.builders import LATER, LEASE, NOW, new_task, task_in

S = TaskStatus
SECOND = timedelta(seconds=1)


def bare(status: TaskStatus, **fields: object) -> Task:
    """A task put straight into `status`, for questions that read fields only."""
    task = new_task()
    task.status = status
    for name, value in fields.items():
        setattr(task, name, value)
    return task


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        (S.SCHEDULED, False),
        (S.READY, False),
        (S.RUNNING, False),
        (S.RETRYING, False),
        (S.SUCCEEDED, True),
        (S.FAILED, True),
        (S.CANCELLED, True),
    ],
)
def test_is_terminal(status: TaskStatus, terminal: bool) -> None:
    task = task_in(status)

    assert task.is_terminal() is terminal
    assert status.is_terminal is terminal
    assert (task.finished_at is not None) is terminal


@pytest.mark.parametrize(
    ("attempt", "max_attempts", "cancel_requested", "can_retry"),
    [
        (0, 1, False, True),
        (1, 1, False, False),
        (1, 3, False, True),
        (2, 3, False, True),
        (3, 3, False, False),
        (4, 3, False, False),
        (1, 3, True, False),
    ],
)
def test_can_retry(
    attempt: int, max_attempts: int, cancel_requested: bool, can_retry: bool
) -> None:
    task = bare(
        S.RUNNING, attempt=attempt, max_attempts=max_attempts, cancel_requested=cancel_requested
    )

    assert task.can_retry() is can_retry


@pytest.mark.parametrize(
    ("status", "run_after", "due"),
    [
        (S.SCHEDULED, NOW + SECOND, False),
        (S.SCHEDULED, NOW, True),
        (S.READY, NOW - SECOND, True),
        (S.READY, NOW + SECOND, False),
        (S.RETRYING, NOW, True),
        (S.RETRYING, NOW + SECOND, False),
        (S.RUNNING, NOW - SECOND, False),
        (S.SUCCEEDED, NOW - SECOND, False),
        (S.FAILED, NOW - SECOND, False),
        (S.CANCELLED, NOW - SECOND, False),
    ],
)
def test_is_due(status: TaskStatus, run_after: object, due: bool) -> None:
    assert bare(status, run_after=run_after).is_due(NOW) is due


@pytest.mark.parametrize(
    ("status", "lease_expires_at", "expired"),
    [
        (S.RUNNING, NOW + SECOND, False),
        (S.RUNNING, NOW, True),
        (S.RUNNING, NOW - SECOND, True),
        (S.RUNNING, None, False),
        (S.READY, NOW - SECOND, False),
        (S.RETRYING, NOW - SECOND, False),
        (S.SUCCEEDED, NOW - SECOND, False),
    ],
)
def test_lease_expired(status: TaskStatus, lease_expires_at: object, expired: bool) -> None:
    task = bare(status, lease_expires_at=lease_expires_at)

    assert task.lease_expired(NOW) is expired


def test_lease_of_a_claimed_task_expires_after_the_lease() -> None:
    task = task_in(S.RUNNING)

    assert not task.lease_expired(NOW + LEASE - SECOND)
    assert task.lease_expired(NOW + LEASE)


@pytest.mark.parametrize(
    ("run_after", "status"),
    [
        (None, S.READY),
        (NOW - timedelta(days=1), S.READY),
        (NOW, S.READY),
        (NOW + timedelta(microseconds=1), S.SCHEDULED),
        (NOW + timedelta(days=30), S.SCHEDULED),
    ],
)
def test_create_schedules_a_task_whose_run_after_lies_ahead(
    run_after: object, status: TaskStatus
) -> None:
    task = new_task(run_after=run_after)

    assert task.status is status
    assert task.run_after == (NOW if run_after is None else run_after)


def test_create_fills_in_the_defaults() -> None:
    task = Task.create("tasks.cleanup", now=NOW)

    assert (task.args, task.kwargs, task.queue) == ([], {}, DEFAULT_QUEUE)
    assert (task.priority, task.max_attempts, task.attempt) == (0, DEFAULT_MAX_ATTEMPTS, 0)
    assert (task.enqueued_at, task.run_after) == (NOW, NOW)
    assert (task.timeout, task.unique_key, task.result) == (None, None, None)
    assert (task.worker_id, task.lease_expires_at, task.finished_at) == (None, None, None)
    assert (task.errors, task.pending_transitions) == ([], [])
    assert not task.cancel_requested


def test_create_gives_each_task_its_own_id_and_containers() -> None:
    first, second = Task.create("tasks.a", now=NOW), Task.create("tasks.a", now=NOW)

    first.args.append(1)
    first.kwargs["k"] = 1

    assert first.id != second.id
    assert (second.args, second.kwargs) == ([], {})


def test_create_keeps_a_given_id() -> None:
    task_id = uuid4()

    assert Task.create("tasks.a", now=NOW, id=task_id).id == task_id


def test_only_a_task_created_without_run_after_is_new_and_due_at_once() -> None:
    retried = task_in(TaskStatus.FAILED)
    retried.retry_now(now=LATER)
    due_earlier = new_task(run_after=NOW - timedelta(minutes=1))

    assert new_task().is_new_and_due_at_once()
    assert not task_in(TaskStatus.SCHEDULED).is_new_and_due_at_once()
    assert not task_in(TaskStatus.RUNNING).is_new_and_due_at_once()
    # Ready again, but not new: its attempts, history and enqueue time are its own.
    assert not retried.is_new_and_due_at_once()
    # Ready at once, but due since a moment of its own, which a stamp would overwrite.
    assert not due_earlier.is_new_and_due_at_once()


def test_stamp_enqueued_moves_the_enqueue_and_due_time_together() -> None:
    task = new_task()

    task.stamp_enqueued(LATER)

    assert (task.enqueued_at, task.run_after) == (LATER, LATER)
    assert task.status is TaskStatus.READY
    assert task.pending_transitions == []
