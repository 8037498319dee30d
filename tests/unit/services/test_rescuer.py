"""TaskRescuer: what becomes of a task whose lease ran out, in batches, under concurrency."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from scheduler_core.domain import WORKER_LOST, StaleTask, Task, TaskStatus
from scheduler_core.domain.ports import Clock
from scheduler_core.memory import (
    InMemoryQueue,
    InMemoryStorage,
    InMemoryTaskCatalog,
    InMemoryTaskRepository,
    InMemoryWorkerRepository,
    ManualClock,
)
from scheduler_core.services import RescueReport, TaskRescuer, TaskService, WorkerService

from .conftest import LEASE, POLICY, T0, RunningTask

EXPIRED = LEASE + timedelta(seconds=1)

Prepare = Callable[[TaskService, WorkerService, RunningTask], Task]


def running(scheduler: TaskService, workers: WorkerService, run: RunningTask) -> Task:
    return run(max_attempts=3)


def on_last_attempt(scheduler: TaskService, workers: WorkerService, run: RunningTask) -> Task:
    return run(max_attempts=1)


def cancel_requested(scheduler: TaskService, workers: WorkerService, run: RunningTask) -> Task:
    task = run()
    scheduler.cancel(task.id)
    return task


def succeeded(scheduler: TaskService, workers: WorkerService, run: RunningTask) -> Task:
    return workers.complete(run(), {"ok": True})


@pytest.mark.parametrize(
    ("prepare", "elapsed", "expected", "report"),
    [
        pytest.param(running, LEASE / 2, TaskStatus.RUNNING, RescueReport(), id="lease-holds"),
        pytest.param(running, EXPIRED, TaskStatus.RETRYING, RescueReport(retried=1), id="retry"),
        pytest.param(
            on_last_attempt, EXPIRED, TaskStatus.FAILED, RescueReport(failed=1), id="exhausted"
        ),
        pytest.param(
            cancel_requested, EXPIRED, TaskStatus.CANCELLED, RescueReport(cancelled=1), id="cancel"
        ),
        pytest.param(succeeded, EXPIRED, TaskStatus.SUCCEEDED, RescueReport(), id="terminal"),
    ],
)
def test_rescue_decision_table(
    scheduler: TaskService,
    worker_service: WorkerService,
    running_task: RunningTask,
    rescuer: TaskRescuer,
    clock: ManualClock,
    prepare: Prepare,
    elapsed: timedelta,
    expected: TaskStatus,
    report: RescueReport,
) -> None:
    task = prepare(scheduler, worker_service, running_task)
    before = scheduler.status(task.id)
    clock.advance(elapsed)

    assert rescuer.rescue_expired() == report

    after = scheduler.status(task.id)
    assert after.status is expected
    if report.rescued:
        assert after.lease_expires_at is None
        [error] = after.errors
        assert error.exception_type == WORKER_LOST
        assert error.attempt == 1
        assert "w1" in error.message
    else:
        assert after == before


def test_a_rescued_task_retries_after_its_backoff(
    scheduler: TaskService,
    running_task: RunningTask,
    rescuer: TaskRescuer,
    clock: ManualClock,
) -> None:
    task = running_task()
    now = clock.advance(EXPIRED)

    rescuer.rescue_expired()

    assert scheduler.status(task.id).run_after == now + POLICY.base


class CountingRepository(InMemoryTaskRepository):
    """Counts the expired-lease look-ups the rescuer makes."""

    looks = 0

    def find_expired_leases(self, limit: int) -> list[Task]:
        self.looks += 1
        return super().find_expired_leases(limit)


def expire(storage: InMemoryStorage, clock: ManualClock, count: int) -> list[Task]:
    """Submit `count` tasks, have worker w1 claim them all, and let their leases run out."""
    for _ in range(count):
        task = Task.create("app.send_email", now=clock.now())
        storage.tasks.add(task)
        storage.queue.enqueue(task)
    claimed = storage.queue.claim("w1", ["default"], count, LEASE)
    # Started attempts: losing one costs it (a claim that never started is given back).
    storage.tasks.mark_started("w1", [(task.id, task.attempt) for task in claimed])
    clock.advance(EXPIRED)
    return claimed


def storage_with(repository: InMemoryTaskRepository, clock: ManualClock) -> InMemoryStorage:
    return InMemoryStorage(
        clock=clock,
        tasks=repository,
        workers=InMemoryWorkerRepository(clock),
        queue=InMemoryQueue(repository, clock),
        catalog=InMemoryTaskCatalog(["app.send_email"]),
    )


def rescuer_on(repository: InMemoryTaskRepository, clock: Clock, batch_size: int) -> TaskRescuer:
    return TaskRescuer(
        tasks=repository, clock=clock, policy=POLICY, rng=random.Random(1), batch_size=batch_size
    )


def test_rescue_works_through_more_than_one_batch() -> None:
    clock = ManualClock(T0)
    repository = CountingRepository(clock)
    tasks = expire(storage_with(repository, clock), clock, 5)

    report = rescuer_on(repository, clock, batch_size=2).rescue_expired()

    assert report == RescueReport(retried=5)
    # Batches of 2, 2 and 1, then one empty look that ends the pass.
    assert repository.looks == 4
    assert {repository.get(task.id).status for task in tasks} == {TaskStatus.RETRYING}


class LosingRepository(CountingRepository):
    """Once `losing` is set, every write loses to another writer."""

    losing = False

    def update(
        self,
        task: Task,
        *,
        expected_status: TaskStatus,
        expected_attempt: int,
        expected_worker: str | None = None,
    ) -> None:
        if self.losing:
            raise StaleTask(f"task {task.id} changed")
        super().update(
            task,
            expected_status=expected_status,
            expected_attempt=expected_attempt,
            expected_worker=expected_worker,
        )


def test_a_batch_lost_entirely_to_other_writers_ends_the_pass_instead_of_spinning() -> None:
    clock = ManualClock(T0)
    repository = LosingRepository(clock)
    expire(storage_with(repository, clock), clock, 3)
    repository.losing = True

    report = rescuer_on(repository, clock, batch_size=2).rescue_expired()

    assert report == RescueReport(skipped=2)
    assert repository.looks == 1


def test_a_task_whose_lease_still_holds_by_the_rescuers_clock_is_skipped(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    [task] = expire(storage, clock, 1)
    # A rescuer whose clock lags the storage's must not declare a live lease lost.
    lagging = ManualClock(T0)

    report = rescuer_on(storage.tasks, lagging, batch_size=10).rescue_expired()

    assert report == RescueReport(skipped=1)
    assert storage.tasks.get(task.id).status is TaskStatus.RUNNING


class ReadTogetherRepository(InMemoryTaskRepository):
    """The first look-up of each of `parties` threads waits for the others, so all read alike."""

    def __init__(self, clock: Clock, parties: int) -> None:
        super().__init__(clock)
        self.barrier = threading.Barrier(parties)
        self.seen = threading.local()

    def find_expired_leases(self, limit: int) -> list[Task]:
        found = super().find_expired_leases(limit)
        if not getattr(self.seen, "looked", False):
            self.seen.looked = True
            self.barrier.wait(timeout=10)
        return found


def test_two_rescuers_at_once_rescue_each_task_exactly_once() -> None:
    clock = ManualClock(T0)
    repository = ReadTogetherRepository(clock, parties=2)
    tasks = expire(storage_with(repository, clock), clock, 20)
    rescuers = [rescuer_on(repository, clock, batch_size=3) for _ in range(2)]
    reports: list[RescueReport] = []

    threads = [
        threading.Thread(target=lambda r=r: reports.append(r.rescue_expired())) for r in rescuers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sum(report.retried for report in reports) == 20
    # Both read the same first batch, so every task of it was lost by one of them.
    assert sum(report.skipped for report in reports) >= 3
    for task in tasks:
        stored = repository.get(task.id)
        assert stored.status is TaskStatus.RETRYING
        assert [error.exception_type for error in stored.errors] == [WORKER_LOST]
        rescues = [t for t in repository.transitions(task.id) if t.actor == "rescuer"]
        assert [(t.from_status, t.to_status) for t in rescues] == [
            (TaskStatus.RUNNING, TaskStatus.RETRYING)
        ]


def test_a_batch_size_below_one_is_refused(storage: InMemoryStorage) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        rescuer_on(storage.tasks, storage.clock, batch_size=0)
