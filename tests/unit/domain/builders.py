"""Tasks in every status, reached through legal moves only, on a fixed clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from scheduler_core.domain import RetryPolicy, Task, TaskError, TaskStatus

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
# Long after every builder's wait and lease: everything is due, every lease has run out.
LATER = NOW + timedelta(days=1)
LEASE = timedelta(seconds=60)
WORKER = "worker-1"
# No jitter, so a retrying task built here waits exactly `base` before its next attempt.
POLICY = RetryPolicy(base=timedelta(seconds=10), factor=2, cap=timedelta(minutes=10), jitter=0)


def rng() -> random.Random:
    """A seeded random source, so jittered delays repeat from run to run."""
    return random.Random(1234)


def new_task(**overrides: Any) -> Task:
    """A valid task created at NOW; keyword arguments override Task.create's."""
    fields: dict[str, Any] = {"name": "tasks.send_email", "now": NOW, "args": ["a@b.c"]}
    fields.update(overrides)
    name = fields.pop("name")
    return Task.create(name, **fields)


def error(attempt: int, *, at: datetime = NOW, worker_id: str | None = WORKER) -> TaskError:
    """The error an attempt reports when it raises."""
    return TaskError(
        attempt=attempt,
        exception_type="builtins.ValueError",
        message="boom",
        traceback="Traceback (most recent call last): ...",
        failed_at=at,
        worker_id=worker_id,
    )


def claimed(task: Task, *, worker: str = WORKER, now: datetime = NOW, started: bool = True) -> Task:
    """`task`, claimed by `worker` at `now` with a LEASE-long lease, its code started unless not.

    A started attempt is what most tests mean by a running task: losing it costs an attempt.
    """
    task.claim(worker, now=now, lease=LEASE)
    if started:
        task.mark_started(attempt=task.attempt, now=now)
    return task


def task_in(status: TaskStatus, *, max_attempts: int = 3) -> Task:
    """A task in `status` whose history is the shortest legal path there, all at NOW.

    Running tasks hold a lease until NOW + LEASE; retrying ones wait until NOW + 10 s;
    scheduled ones until NOW + 1 h. LATER is past all of these.
    """
    if status is TaskStatus.SCHEDULED:
        return new_task(run_after=NOW + timedelta(hours=1), max_attempts=max_attempts)
    task = new_task(max_attempts=max_attempts)
    if status is TaskStatus.READY:
        return task
    if status is TaskStatus.CANCELLED:
        task.cancel(now=NOW, actor="alice")
        return task
    claimed(task)
    if status is TaskStatus.SUCCEEDED:
        task.succeed({"sent": True}, attempt=1, now=NOW)
    elif status is TaskStatus.RETRYING:
        task.fail(error(1), attempt=1, now=NOW, policy=POLICY, rng=rng())
    elif status is TaskStatus.FAILED:
        task.fail(error(1), attempt=1, now=NOW, policy=POLICY, rng=rng(), retryable=False)
    assert task.status is status
    return task


def assert_unchanged(task: Task, before: Task) -> None:
    """Fail unless `task` still equals the copy taken before a refused move, history included."""
    assert task == before
    assert task.pending_transitions == before.pending_transitions
