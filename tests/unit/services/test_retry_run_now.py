"""TaskService.retry and run_now: the task becomes claimable again at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler_core.domain import InvalidTransition, TaskStatus
from scheduler_core.memory import InMemoryStorage
from scheduler_core.services import TaskService, WorkerService

from .conftest import LEASE, T0, RunningTask, request


def claim_ids(storage: InMemoryStorage) -> list[object]:
    return [task.id for task in storage.queue.claim("w9", ["default"], 10, LEASE)]


def test_retry_of_a_failed_task_makes_it_claimable_for_one_more_attempt(
    scheduler: TaskService,
    worker_service: WorkerService,
    storage: InMemoryStorage,
    running_task: RunningTask,
) -> None:
    task = running_task(max_attempts=1)
    worker_service.fail(task, RuntimeError("boom"))

    retried = scheduler.retry(task.id, actor="alice")

    assert retried.status is TaskStatus.READY
    assert retried.max_attempts == 2
    [claimed] = storage.queue.claim("w9", ["default"], 10, LEASE)
    assert (claimed.id, claimed.attempt, claimed.status) == (task.id, 2, TaskStatus.RUNNING)


def test_retry_of_a_cancelled_task_makes_it_claimable(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    task = scheduler.submit(request()).task
    scheduler.cancel(task.id)

    scheduler.retry(task.id)

    assert claim_ids(storage) == [task.id]


def test_retry_of_a_waiting_task_is_an_invalid_transition(scheduler: TaskService) -> None:
    task = scheduler.submit(request()).task

    with pytest.raises(InvalidTransition, match="cannot retry a ready task"):
        scheduler.retry(task.id)


def test_run_now_of_a_scheduled_task_makes_it_claimable_before_its_time(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    task = scheduler.submit(request(run_after=T0 + timedelta(days=1))).task
    assert claim_ids(storage) == []

    ran = scheduler.run_now(task.id)

    assert (ran.status, ran.run_after) == (TaskStatus.READY, T0)
    assert claim_ids(storage) == [task.id]


def test_run_now_of_a_backing_off_task_skips_the_backoff(
    scheduler: TaskService,
    worker_service: WorkerService,
    storage: InMemoryStorage,
    running_task: RunningTask,
) -> None:
    task = running_task()
    worker_service.fail(task, RuntimeError("flaky"))
    assert scheduler.status(task.id).status is TaskStatus.RETRYING
    assert claim_ids(storage) == []

    scheduler.run_now(task.id)

    assert claim_ids(storage) == [task.id]


def test_run_now_of_a_ready_task_is_an_invalid_transition(scheduler: TaskService) -> None:
    task = scheduler.submit(request()).task

    with pytest.raises(InvalidTransition, match="cannot run a ready task now"):
        scheduler.run_now(task.id)
