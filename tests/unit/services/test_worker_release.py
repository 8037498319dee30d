"""WorkerService.release: a task the worker gives up at shutdown goes to the next rescue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler_core.domain import WORKER_LOST, StaleTask, TaskStatus
from scheduler_core.memory import InMemoryStorage, ManualClock
from scheduler_core.services import TaskRescuer, TaskService, WorkerService

from .conftest import LEASE, POLICY, RunningTask


@pytest.mark.parametrize(
    ("max_attempts", "expected"), [(3, TaskStatus.RETRYING), (1, TaskStatus.FAILED)]
)
def test_a_released_task_is_rescued_at_once_per_the_retry_policy(
    worker_service: WorkerService,
    rescuer: TaskRescuer,
    storage: InMemoryStorage,
    clock: ManualClock,
    running_task: RunningTask,
    max_attempts: int,
    expected: TaskStatus,
) -> None:
    task = running_task(max_attempts=max_attempts)
    now = clock.advance(LEASE / 4)

    released = worker_service.release(task)

    assert (released.status, released.attempt, released.lease_expires_at) == (
        TaskStatus.RUNNING,
        1,
        now,
    )
    assert storage.tasks.get(task.id) == released
    # No wait for the lease the worker was granted: the rescue takes the task now.
    assert rescuer.rescue_expired().rescued == 1
    rescued = storage.tasks.get(task.id)
    assert rescued.status is expected
    assert [(e.attempt, e.exception_type, e.worker_id) for e in rescued.errors] == [
        (1, WORKER_LOST, "w1")
    ]


def test_a_released_task_runs_again_after_its_backoff(
    worker_service: WorkerService,
    rescuer: TaskRescuer,
    storage: InMemoryStorage,
    clock: ManualClock,
    running_task: RunningTask,
) -> None:
    worker_service.release(running_task("w1"))
    rescuer.rescue_expired()
    clock.advance(POLICY.base)

    [again] = storage.queue.claim("w2", ["default"], 1, LEASE)

    assert (again.attempt, again.worker_ids) == (2, ["w1", "w2"])


def test_release_keeps_a_cancel_request_the_workers_copy_has_not_seen(
    scheduler: TaskService,
    worker_service: WorkerService,
    rescuer: TaskRescuer,
    running_task: RunningTask,
) -> None:
    task = running_task()
    scheduler.cancel(task.id)

    worker_service.release(task)

    assert scheduler.status(task.id).cancel_requested
    assert rescuer.rescue_expired().cancelled == 1
    assert scheduler.status(task.id).status is TaskStatus.CANCELLED


@pytest.mark.parametrize("claimed_again", [False, True], ids=["retrying", "reclaimed"])
def test_releasing_a_lost_attempt_raises_stale_task_and_changes_nothing(
    worker_service: WorkerService,
    rescuer: TaskRescuer,
    storage: InMemoryStorage,
    clock: ManualClock,
    running_task: RunningTask,
    claimed_again: bool,
) -> None:
    lost = running_task("w1")
    clock.advance(LEASE)
    assert rescuer.rescue_expired().retried == 1
    if claimed_again:
        clock.advance(timedelta(hours=1))
        storage.queue.claim("w2", ["default"], 1, LEASE)
    before = storage.tasks.get(lost.id)
    history = storage.tasks.transitions(lost.id)

    with pytest.raises(StaleTask):
        worker_service.release(lost)

    assert storage.tasks.get(lost.id) == before
    assert storage.tasks.transitions(lost.id) == history
    assert lost.status is TaskStatus.RUNNING
