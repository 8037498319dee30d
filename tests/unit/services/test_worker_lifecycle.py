"""WorkerService: registration, states, heartbeats and stale workers."""

from __future__ import annotations

import random
from datetime import timedelta
from uuid import UUID

import pytest

from scheduler_core.domain import (
    InvalidTransition,
    Task,
    TaskStatus,
    Worker,
    WorkerInvalid,
    WorkerNotFound,
    WorkerState,
)
from scheduler_core.memory import InMemoryStorage, InMemoryWorkerRepository, ManualClock
from scheduler_core.services import TaskRescuer, TaskService, WorkerService

from .conftest import LEASE, POLICY, RunningTask, make_worker


def test_register_stores_the_worker_as_starting_whatever_it_claimed(
    worker_service: WorkerService, storage: InMemoryStorage
) -> None:
    registered = worker_service.register(make_worker(state=WorkerState.RUNNING))

    assert registered.state is WorkerState.STARTING
    assert storage.workers.get("w1").state is WorkerState.STARTING


def test_register_refuses_an_invalid_worker_and_stores_nothing(
    worker_service: WorkerService, storage: InMemoryStorage
) -> None:
    with pytest.raises(WorkerInvalid) as raised:
        worker_service.register(make_worker(concurrency=0))

    assert raised.value.field == "concurrency"
    with pytest.raises(WorkerNotFound):
        storage.workers.get("w1")


def test_a_worker_goes_from_starting_through_running_and_draining_to_stopped(
    worker_service: WorkerService,
) -> None:
    worker_service.register(make_worker())

    assert worker_service.start("w1").state is WorkerState.RUNNING
    assert worker_service.drain("w1").state is WorkerState.DRAINING
    assert worker_service.stop("w1").state is WorkerState.STOPPED
    with pytest.raises(InvalidTransition):
        worker_service.start("w1")


def test_a_lease_that_is_not_positive_is_refused(storage: InMemoryStorage) -> None:
    with pytest.raises(ValueError, match="lease"):
        WorkerService(
            workers=storage.workers,
            tasks=storage.tasks,
            queue=storage.queue,
            clock=storage.clock,
            policy=POLICY,
            rng=random.Random(),
            lease=timedelta(0),
        )


# -- heartbeats --------------------------------------------------------------------------------


def test_heartbeat_extends_the_leases_and_reports_cancel_requests(
    scheduler: TaskService,
    worker_service: WorkerService,
    rescuer: TaskRescuer,
    storage: InMemoryStorage,
    clock: ManualClock,
    running_task: RunningTask,
) -> None:
    kept, cancelled = running_task(), running_task()
    scheduler.cancel(cancelled.id)
    now = clock.advance(LEASE * 0.9)

    beaten = worker_service.heartbeat("w1", held(kept, cancelled))

    assert {task.id: task.cancel_requested for task in beaten} == {
        kept.id: False,
        cancelled.id: True,
    }
    assert storage.tasks.get(kept.id).lease_expires_at == now + LEASE
    assert storage.workers.get("w1").last_heartbeat == now
    clock.advance(LEASE * 0.9)
    assert rescuer.rescue_expired().rescued == 0


def test_heartbeat_leaves_a_task_the_worker_no_longer_holds_to_be_rescued(
    worker_service: WorkerService,
    rescuer: TaskRescuer,
    storage: InMemoryStorage,
    clock: ManualClock,
    running_task: RunningTask,
) -> None:
    """Its outcome could not be written: stored as running under the worker, not held."""
    kept, abandoned = running_task(), running_task()

    for _ in range(3):
        clock.advance(LEASE * 0.6)
        assert [task.id for task in worker_service.heartbeat("w1", held(kept))] == [kept.id]

    assert rescuer.rescue_expired().rescued == 1
    assert storage.tasks.get(kept.id).status is TaskStatus.RUNNING
    rescued = storage.tasks.get(abandoned.id)
    assert rescued.status is not TaskStatus.RUNNING
    assert rescued.attempt == abandoned.attempt


def held(*tasks: Task) -> set[tuple[UUID, int]]:
    """The (task id, attempt) pairs a worker's executor holds."""
    return {(task.id, task.attempt) for task in tasks}


# -- stale workers -----------------------------------------------------------------------------


def test_workers_silent_past_the_ttl_are_declared_dead_once(
    worker_service: WorkerService, storage: InMemoryStorage, clock: ManualClock
) -> None:
    for worker_id in ("alive", "silent", "gone"):
        worker_service.register(make_worker(worker_id))
        worker_service.start(worker_id)
    worker_service.stop("gone")
    clock.advance(timedelta(minutes=2))
    worker_service.heartbeat("alive", set())

    assert worker_service.mark_stale_workers_dead(timedelta(minutes=1)) == ["silent"]

    assert storage.workers.get("silent").state is WorkerState.DEAD
    assert storage.workers.get("alive").state is WorkerState.RUNNING
    # A clean exit stays told apart from a death.
    assert storage.workers.get("gone").state is WorkerState.STOPPED
    assert worker_service.mark_stale_workers_dead(timedelta(minutes=1)) == []


class ForgetfulWorkerRepository(InMemoryWorkerRepository):
    """Another process removes each stale worker between our look and our write."""

    def set_state(self, worker_id: str, state: WorkerState) -> Worker:
        if state is WorkerState.DEAD:
            # As the admin's delete would, from another process.
            with self._lock:
                del self._workers[worker_id]
        return super().set_state(worker_id, state)


def test_a_stale_worker_stopped_or_removed_by_another_process_is_not_reported(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    workers = ForgetfulWorkerRepository(clock)
    service = WorkerService(
        workers=workers,
        tasks=storage.tasks,
        queue=storage.queue,
        clock=clock,
        policy=POLICY,
        rng=random.Random(),
    )
    service.register(make_worker("silent"))
    clock.advance(timedelta(minutes=2))

    assert service.mark_stale_workers_dead(timedelta(minutes=1)) == []
