"""Helpers for the workflow contract tests: a service over the kit, and steps run by hand."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from scheduler_core.domain import RetryPolicy, TaskError, TaskStatus
from scheduler_core.domain.ports import Clock
from scheduler_core.memory import InMemoryTaskCatalog
from scheduler_core.services import RunView, StepRequest, WorkflowService

from .kits import StorageKit

NAMES = ("wf.a", "wf.b")
LEASE = timedelta(minutes=5)
POLICY = RetryPolicy(base=timedelta(seconds=1), jitter=0)


def service(kit: StorageKit) -> WorkflowService:
    """A workflow service over the kit's storage, accepting the tasks in NAMES."""
    return WorkflowService(
        workflows=kit.workflows,
        tasks=kit.tasks,
        queue=kit.queue,
        catalog=InMemoryTaskCatalog(NAMES),
        clock=_KitClock(kit),
    )


class _KitClock(Clock):
    """The kit's clock (the database's, for a database kit) as the services' port."""

    def __init__(self, kit: StorageKit) -> None:
        self._kit = kit

    def now(self) -> datetime:
        return self._kit.now()


def step(key: str, *after: str, **fields: Any) -> StepRequest:
    """A step running wf.a after the given keys."""
    return StepRequest(key=key, task="wf.a", after=after, **fields)


def enqueue(kit: StorageKit, *steps: StepRequest, name: str = "wf") -> RunView:
    """Enqueue a run of these steps through the service."""
    return service(kit).enqueue(name, steps)


def claim(kit: StorageKit, run: RunView, key: str, worker: str = "w1") -> Any:
    """Claim the ready step `key` of the run as `worker` would; the running task."""
    task = kit.workflows.step(run.id, key)
    previous = task.status
    task.claim(worker, now=kit.now(), lease=LEASE)
    kit.tasks.update(task, expected_status=previous, expected_attempt=task.attempt - 1)
    return task


def succeed(kit: StorageKit, task: Any, result: Any = None, *, set_based: bool = True) -> bool:
    """Store the claimed task's success, set-based (finish_many) or one by one; True if stored."""
    task.succeed(result, attempt=task.attempt, now=kit.now())
    if set_based:
        return task.id in kit.tasks.finish_many([task])
    kit.tasks.update(
        task,
        expected_status=TaskStatus.RUNNING,
        expected_attempt=task.attempt,
        expected_worker=task.worker_id,
    )
    return True


def fail(kit: StorageKit, task: Any, *, retryable: bool = False) -> None:
    """Store the claimed task's failure (for good unless retryable with attempts left)."""
    error = TaskError(
        attempt=task.attempt,
        exception_type="RuntimeError",
        message="boom",
        traceback="",
        failed_at=kit.now(),
        worker_id=task.worker_id,
    )
    task.fail(
        error,
        attempt=task.attempt,
        now=kit.now(),
        policy=POLICY,
        rng=random.Random(0),
        retryable=retryable,
    )
    kit.tasks.update(
        task,
        expected_status=TaskStatus.RUNNING,
        expected_attempt=task.attempt,
        expected_worker=task.worker_id,
    )


def run_step(kit: StorageKit, run: RunView, key: str, result: Any = None) -> None:
    """Claim and succeed step `key`."""
    succeed(kit, claim(kit, run, key), result)


def statuses(kit: StorageKit, run: RunView) -> dict[str, TaskStatus]:
    """Each step's status by key."""
    return {str(t.step_key): t.status for t in kit.workflows.steps(run.id)}


def releases(kit: StorageKit, task_id: UUID) -> list[str]:
    """The reasons of the task's moves out of blocked, in order."""
    return [
        t.reason
        for t in kit.tasks.transitions(task_id)
        if t.from_status is TaskStatus.BLOCKED and t.to_status is TaskStatus.READY
    ]


def ids(run: RunView, keys: Sequence[str]) -> list[UUID]:
    """The ids of these steps."""
    return [run.step(key).id for key in keys]
