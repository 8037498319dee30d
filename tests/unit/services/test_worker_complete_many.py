"""WorkerService.complete_many: one clock reading, fenced writes, stale attempts reported."""

from __future__ import annotations

from scheduler_core.domain import TaskStatus
from scheduler_core.memory import InMemoryStorage, ManualClock
from scheduler_core.services import TaskRescuer, TaskService, WorkerService

from .conftest import LEASE, POLICY, T0, RunningTask


def test_results_are_stored_at_one_moment(
    worker_service: WorkerService, storage: InMemoryStorage, running_task: RunningTask
) -> None:
    tasks = [running_task() for _ in range(3)]

    stale = worker_service.complete_many([(task, {"n": i}) for i, task in enumerate(tasks)])

    assert stale == []
    for i, task in enumerate(tasks):
        stored = storage.tasks.get(task.id)
        assert (stored.status, stored.result, stored.finished_at) == (
            TaskStatus.SUCCEEDED,
            {"n": i},
            T0,
        )
        # The caller's copy is untouched, as with complete().
        assert task.status is TaskStatus.RUNNING
        assert storage.tasks.transitions(task.id)[-1].to_status is TaskStatus.SUCCEEDED


def test_a_lost_attempt_is_returned_and_changes_nothing(
    worker_service: WorkerService,
    rescuer: TaskRescuer,
    storage: InMemoryStorage,
    clock: ManualClock,
    running_task: RunningTask,
) -> None:
    lost = running_task("w1")
    clock.advance(LEASE)
    assert rescuer.rescue_expired().retried == 1
    clock.advance(POLICY.cap)
    [again] = storage.queue.claim("w2", ["default"], 1, LEASE)
    kept = running_task("w3")
    before = storage.tasks.get(lost.id)

    stale = worker_service.complete_many([(kept, "ok"), (lost, "late")])

    assert [task.id for task in stale] == [lost.id]
    assert storage.tasks.get(lost.id) == before
    assert (again.id, before.worker_id) == (lost.id, "w2")
    assert storage.tasks.get(kept.id).status is TaskStatus.SUCCEEDED


def test_a_cancel_request_made_meanwhile_is_decided_again(
    worker_service: WorkerService,
    scheduler: TaskService,
    storage: InMemoryStorage,
    running_task: RunningTask,
) -> None:
    task = running_task()
    scheduler.cancel(task.id, actor="operator")

    assert worker_service.complete_many([(task, "done")]) == []

    # As complete() does: the attempt did finish, so its result stands.
    stored = storage.tasks.get(task.id)
    assert (stored.status, stored.result, stored.cancel_requested) == (
        TaskStatus.SUCCEEDED,
        "done",
        True,
    )


def test_nothing_finished_reads_no_clock(worker_service: WorkerService) -> None:
    assert worker_service.complete_many([]) == []
