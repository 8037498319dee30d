"""TaskService.cancel, and the optimistic retry every operator action goes through."""

from __future__ import annotations

import pytest

from scheduler_core.domain import (
    TERMINAL_STATUSES,
    InvalidTransition,
    StaleTask,
    Task,
    TaskNotFound,
    TaskStatus,
)
from scheduler_core.domain.ports import Clock
from scheduler_core.memory import (
    InMemoryQueue,
    InMemoryStorage,
    InMemoryTaskRepository,
    ManualClock,
)
from scheduler_core.services import MAX_STALE_RETRIES, TaskService, WorkerService

from .conftest import LEASE, T0, RunningTask, request
from .test_submit import service_on


def test_cancel_of_a_ready_task_cancels_it_at_once(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    task = scheduler.submit(request()).task

    cancelled = scheduler.cancel(task.id, actor="alice")

    assert cancelled.status is TaskStatus.CANCELLED
    assert scheduler.status(task.id).status is TaskStatus.CANCELLED
    assert scheduler.status(task.id).finished_at == T0
    assert storage.queue.claim("w1", ["default"], 10, LEASE) == []


def test_cancel_of_a_scheduled_task_cancels_it_at_once(scheduler: TaskService) -> None:
    task = scheduler.submit(request(run_after=T0.replace(year=2027))).task

    assert scheduler.cancel(task.id).status is TaskStatus.CANCELLED


def test_cancel_of_a_running_task_requests_cancellation_and_leaves_it_running(
    scheduler: TaskService, running_task: RunningTask
) -> None:
    task = running_task()

    scheduler.cancel(task.id)

    stored = scheduler.status(task.id)
    assert stored.status is TaskStatus.RUNNING
    assert stored.cancel_requested
    assert stored.attempt == 1


@pytest.mark.parametrize("outcome", sorted(TERMINAL_STATUSES))
def test_cancel_of_a_finished_task_is_an_invalid_transition(
    scheduler: TaskService,
    worker_service: WorkerService,
    running_task: RunningTask,
    outcome: TaskStatus,
) -> None:
    task = running_task(max_attempts=1)
    if outcome is TaskStatus.SUCCEEDED:
        worker_service.complete(task, "done")
    elif outcome is TaskStatus.FAILED:
        worker_service.fail(task, RuntimeError("boom"))
    else:
        worker_service.confirm_cancel(task)
    before = scheduler.status(task.id)
    assert before.status is outcome

    with pytest.raises(InvalidTransition, match=f"already {outcome}; only waiting or running"):
        scheduler.cancel(task.id)

    assert scheduler.status(task.id) == before


def test_cancel_of_an_unknown_task_raises_task_not_found(scheduler: TaskService) -> None:
    with pytest.raises(TaskNotFound):
        scheduler.cancel(Task.create("app.send_email", now=T0).id)


class ClaimedMeanwhileRepository(InMemoryTaskRepository):
    """On the first update, a worker claims the task first, so the update finds it moved."""

    queue: InMemoryQueue

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.claimed = False

    def update(
        self,
        task: Task,
        *,
        expected_status: TaskStatus,
        expected_attempt: int,
        expected_worker: str | None = None,
    ) -> None:
        if not self.claimed:
            self.claimed = True
            self.queue.claim("w1", [task.queue], 1, LEASE)
        super().update(
            task,
            expected_status=expected_status,
            expected_attempt=expected_attempt,
            expected_worker=expected_worker,
        )


def test_cancel_of_a_task_claimed_meanwhile_requests_cancellation_instead() -> None:
    clock = ManualClock(T0)
    repository = ClaimedMeanwhileRepository(clock)
    service = service_on(repository, clock)
    repository.queue = InMemoryQueue(repository, clock)
    task = service.submit(request()).task

    result = service.cancel(task.id)

    assert repository.claimed
    assert result.status is TaskStatus.RUNNING
    assert result.cancel_requested
    stored = repository.get(task.id)
    assert (stored.status, stored.attempt, stored.cancel_requested) == (
        TaskStatus.RUNNING,
        1,
        True,
    )


class AlwaysStaleRepository(InMemoryTaskRepository):
    """Every update finds the task changed, as under a writer that never lets go."""

    updates = 0

    def update(
        self,
        task: Task,
        *,
        expected_status: TaskStatus,
        expected_attempt: int,
        expected_worker: str | None = None,
    ) -> None:
        self.updates += 1
        raise StaleTask(f"task {task.id} changed")


def test_an_operator_action_gives_up_after_a_bounded_number_of_stale_writes() -> None:
    clock = ManualClock(T0)
    repository = AlwaysStaleRepository(clock)
    service = service_on(repository, clock)
    task = service.submit(request()).task

    with pytest.raises(StaleTask, match=f"gave up after {MAX_STALE_RETRIES} tries"):
        service.cancel(task.id)

    assert repository.updates == MAX_STALE_RETRIES
    assert repository.get(task.id).status is TaskStatus.READY
