"""TaskPromoter: due scheduled and retrying tasks are shown as ready, a batch at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler_core.domain import Task, TaskStatus
from scheduler_core.memory import InMemoryStorage, InMemoryTaskRepository, ManualClock
from scheduler_core.services import TaskPromoter, TaskService, WorkerService

from .conftest import PROMOTE_BATCH, T0, RunningTask, make_worker, request


class BatchRecordingRepository(InMemoryTaskRepository):
    """Remembers how many tasks each promote_due call moved."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.batches: list[int] = []

    def promote_due(self, limit: int) -> int:
        promoted = super().promote_due(limit)
        self.batches.append(promoted)
        return promoted


@pytest.mark.parametrize(
    ("due", "batches"),
    [
        (0, [0]),
        (PROMOTE_BATCH - 1, [PROMOTE_BATCH - 1]),
        # A full last batch may hide more, so one more look comes back empty.
        (2 * PROMOTE_BATCH, [PROMOTE_BATCH, PROMOTE_BATCH, 0]),
        (2 * PROMOTE_BATCH + 1, [PROMOTE_BATCH, PROMOTE_BATCH, 1]),
    ],
)
def test_promote_due_takes_batches_until_one_comes_back_short(
    clock: ManualClock, due: int, batches: list[int]
) -> None:
    tasks = BatchRecordingRepository(clock)
    promoter = TaskPromoter(tasks=tasks, batch_size=PROMOTE_BATCH)
    soon = T0 + timedelta(minutes=1)
    tasks.add_many([Task.create("app.send_email", now=T0, run_after=soon) for _ in range(due)])
    clock.advance(timedelta(minutes=1))

    assert promoter.promote_due() == due

    assert tasks.batches == batches
    assert tasks.count_by_status()[TaskStatus.READY] == due


def test_only_due_scheduled_and_retrying_tasks_become_ready(
    scheduler: TaskService,
    worker_service: WorkerService,
    promoter: TaskPromoter,
    storage: InMemoryStorage,
    clock: ManualClock,
    running_task: RunningTask,
) -> None:
    backing_off = running_task()
    worker_service.fail(backing_off, RuntimeError("flaky"))  # due again after 10 s
    soon = scheduler.submit(request(run_after=T0 + timedelta(seconds=5))).task
    later = scheduler.submit(request(run_after=T0 + timedelta(minutes=5))).task
    still_running = running_task()
    clock.advance(timedelta(seconds=10))

    assert promoter.promote_due() == 2

    status = {task.id: storage.tasks.get(task.id).status for task in (soon, later, backing_off)}
    assert status == {
        soon.id: TaskStatus.READY,
        later.id: TaskStatus.SCHEDULED,
        backing_off.id: TaskStatus.READY,
    }
    assert storage.tasks.get(still_running.id).status is TaskStatus.RUNNING
    assert promoter.promote_due() == 0


def test_promoted_tasks_are_claimed_in_their_old_order(
    scheduler: TaskService,
    worker_service: WorkerService,
    promoter: TaskPromoter,
    storage: InMemoryStorage,
    clock: ManualClock,
) -> None:
    # Promotion keeps run_after, so a task promoted late still goes before a newer one.
    old = scheduler.submit(request(run_after=T0 + timedelta(seconds=1))).task
    clock.advance(timedelta(seconds=2))
    newer = scheduler.submit(request()).task
    assert promoter.promote_due() == 1
    worker_service.register(make_worker())
    worker = worker_service.start("w1")

    claimed = worker_service.claim(worker, 2)

    assert [task.id for task in claimed] == [old.id, newer.id]
    assert [(t.from_status, t.to_status, t.actor) for t in storage.tasks.transitions(old.id)] == [
        (TaskStatus.SCHEDULED, TaskStatus.READY, "promoter"),
        (TaskStatus.READY, TaskStatus.RUNNING, "w1"),
    ]


def test_a_batch_size_below_one_is_refused(storage: InMemoryStorage) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        TaskPromoter(tasks=storage.tasks, batch_size=0)
