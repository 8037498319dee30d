"""WorkerService outcomes: complete, fail and confirm_cancel, each fenced by the attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler_core.domain import StaleTask, TaskError, TaskStatus
from scheduler_core.memory import InMemoryStorage, ManualClock
from scheduler_core.services import TaskRescuer, TaskService, WorkerService

from .conftest import LEASE, POLICY, T0, RunningTask


def test_complete_stores_the_result(
    worker_service: WorkerService, storage: InMemoryStorage, running_task: RunningTask
) -> None:
    task = running_task()

    done = worker_service.complete(task, {"sent": 3})

    stored = storage.tasks.get(task.id)
    assert stored == done
    assert (stored.status, stored.result, stored.finished_at) == (
        TaskStatus.SUCCEEDED,
        {"sent": 3},
        T0,
    )


@pytest.mark.parametrize("outcome", ["complete", "fail", "confirm_cancel"])
def test_an_outcome_of_a_lost_attempt_is_refused_and_changes_nothing(
    worker_service: WorkerService,
    rescuer: TaskRescuer,
    storage: InMemoryStorage,
    clock: ManualClock,
    running_task: RunningTask,
    outcome: str,
) -> None:
    lost = running_task("w1")
    clock.advance(LEASE)
    assert rescuer.rescue_expired().retried == 1
    clock.advance(POLICY.cap)
    [again] = storage.queue.claim("w2", ["default"], 1, LEASE)
    before = storage.tasks.get(lost.id)
    lost_before = (lost.status, lost.attempt, lost.result, lost.errors)

    with pytest.raises(StaleTask):
        if outcome == "complete":
            worker_service.complete(lost, "late")
        elif outcome == "fail":
            worker_service.fail(lost, RuntimeError("late"))
        else:
            worker_service.confirm_cancel(lost)

    assert storage.tasks.get(lost.id) == before
    assert (again.id, before.attempt, before.worker_id) == (lost.id, 2, "w2")
    # The caller's copy is left as it was, so the executor can still log what it lost.
    assert (lost.status, lost.attempt, lost.result, lost.errors) == lost_before


def test_fail_retries_with_backoff_then_fails_at_exactly_max_attempts(
    worker_service: WorkerService,
    storage: InMemoryStorage,
    clock: ManualClock,
    running_task: RunningTask,
) -> None:
    task = running_task(max_attempts=3)
    worker = storage.workers.get("w1")
    for attempt, backoff in [(1, 10), (2, 20)]:
        assert task.attempt == attempt
        retrying = worker_service.fail(task, ValueError(f"attempt {attempt}"))
        assert retrying.status is TaskStatus.RETRYING
        assert retrying.run_after == clock.now() + timedelta(seconds=backoff)
        assert worker_service.claim(worker, 1) == []
        clock.advance(timedelta(seconds=backoff))
        [task] = worker_service.claim(worker, 1)

    failed = worker_service.fail(task, ValueError("attempt 3"))

    assert failed.status is TaskStatus.FAILED
    stored = storage.tasks.get(task.id)
    assert [e.message for e in stored.errors] == ["attempt 1", "attempt 2", "attempt 3"]
    assert [e.attempt for e in stored.errors] == [1, 2, 3]
    assert stored.errors[0].exception_type == "builtins.ValueError"
    assert "ValueError: attempt 1" in stored.errors[0].traceback
    clock.advance(POLICY.cap)
    assert worker_service.claim(worker, 1) == []


def test_fail_keeps_a_prepared_task_error_and_honours_not_retryable(
    worker_service: WorkerService, running_task: RunningTask
) -> None:
    task = running_task(max_attempts=5)
    error = TaskError(
        attempt=1,
        exception_type="TimeoutError",
        message="ran past 30s",
        traceback="",
        failed_at=T0,
        worker_id="w1",
    )

    failed = worker_service.fail(task, error, retryable=False)

    assert failed.status is TaskStatus.FAILED
    assert failed.errors == [error]


def test_confirm_cancel_cancels_the_running_task(
    scheduler: TaskService, worker_service: WorkerService, running_task: RunningTask
) -> None:
    task = running_task()
    scheduler.cancel(task.id)

    [beaten] = worker_service.heartbeat("w1", {(task.id, task.attempt)})
    cancelled = worker_service.confirm_cancel(beaten)

    assert cancelled.status is TaskStatus.CANCELLED
    assert scheduler.status(task.id).status is TaskStatus.CANCELLED


def test_a_failure_after_a_late_cancel_request_cancels_instead_of_retrying(
    worker_service: WorkerService,
    scheduler: TaskService,
    storage: InMemoryStorage,
    running_task: RunningTask,
) -> None:
    task = running_task()
    # The operator asks to cancel after the worker read its copy of the task.
    scheduler.cancel(task.id, actor="operator")

    recorded = worker_service.fail(task, RuntimeError("boom"))

    assert recorded.status is TaskStatus.CANCELLED
    assert storage.tasks.get(task.id).status is TaskStatus.CANCELLED


def test_fail_attempt_stamps_the_error_with_the_attempt_and_the_service_clock(
    worker_service: WorkerService, storage: InMemoryStorage, running_task: RunningTask
) -> None:
    task = running_task("w1")

    recorded = worker_service.fail_attempt(
        task, exception_type="scheduler_core.SlotCrashed", message="exit code 3", retryable=False
    )

    [error] = storage.tasks.get(task.id).errors
    assert recorded.status is TaskStatus.FAILED
    assert (error.attempt, error.failed_at, error.worker_id) == (1, T0, "w1")
    assert (error.exception_type, error.message) == ("scheduler_core.SlotCrashed", "exit code 3")
