"""Scheduled and retrying tasks for the promotion contract, due or not by the kit's clock."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from scheduler_core.domain import RetryPolicy, Task, TaskError, TaskStatus

from .factories import DUE_AGO, NOT_DUE_FOR, TaskFactory
from .kits import StorageKit

# The failed attempt of a retrying task ran this long before now.
FAILED_AGO = timedelta(minutes=1)


def scheduled_task(kit: StorageKit, make_task: TaskFactory, *, due: bool, **fields: Any) -> Task:
    """A task created in the past as scheduled, whose run_after is behind now when `due`."""
    now = kit.now()
    fields.setdefault("run_after", now - DUE_AGO if due else now + NOT_DUE_FOR)
    task = make_task.build(enqueued_at=now - 2 * FAILED_AGO, **fields)
    assert task.status is TaskStatus.SCHEDULED
    return task


def retrying_task(kit: StorageKit, make_task: TaskFactory, *, due: bool, **fields: Any) -> Task:
    """A task whose first attempt failed a minute ago, backing off past now unless `due`."""
    failed_at = kit.now() - FAILED_AGO
    task = make_task.build(enqueued_at=failed_at, run_after=failed_at, **fields)
    task.claim("w0", now=failed_at, lease=FAILED_AGO)
    backoff = FAILED_AGO - DUE_AGO if due else FAILED_AGO + NOT_DUE_FOR
    error = TaskError(
        attempt=1,
        exception_type="builtins.OSError",
        message="flaky",
        traceback="",
        failed_at=failed_at,
        worker_id="w0",
    )
    policy = RetryPolicy(base=backoff, cap=backoff, jitter=0)
    task.fail(error, attempt=1, now=failed_at, policy=policy, rng=random.Random(0))
    assert task.status is TaskStatus.RETRYING
    return task
