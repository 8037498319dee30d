"""BulkActions: one action on selected tasks or on all that match a filter, skipping the rest."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from scheduler_core.domain import TaskFilter, TaskInvalid, TaskStatus
from scheduler_core.memory import InMemoryStorage, ManualClock
from scheduler_core.services import TaskService, WorkerService
from scheduler_core.services.bulk import BULK_BATCH, REASONS_KEPT, BulkAction, BulkActions

from .conftest import T0, RunningTask, request


@pytest.fixture
def bulk(scheduler: TaskService) -> BulkActions:
    return BulkActions(scheduler)


def statuses(storage: InMemoryStorage) -> dict[TaskStatus, int]:
    return {s: n for s, n in storage.tasks.count_by_status().items() if n}


def test_cancel_by_ids_cancels_waiting_skips_finished_and_unknown(
    scheduler: TaskService, bulk: BulkActions
) -> None:
    waiting = [scheduler.submit(request()).task for _ in range(3)]
    finished = scheduler.cancel(scheduler.submit(request()).task.id)

    result = bulk.apply_to_ids(
        BulkAction.CANCEL, [*(t.id for t in waiting), finished.id, uuid4()], actor="alice"
    )

    assert sorted(t.id for t in result.tasks) == sorted(t.id for t in waiting)
    assert {t.status for t in result.tasks} == {TaskStatus.CANCELLED}
    assert result.from_statuses == {TaskStatus.READY}
    assert (result.skipped, result.capped) == (2, False)


def test_each_skip_is_explained_for_the_first_few_and_counted_for_all(
    scheduler: TaskService, bulk: BulkActions
) -> None:
    finished = [
        scheduler.cancel(scheduler.submit(request()).task.id) for _ in range(REASONS_KEPT + 3)
    ]
    unknown = uuid4()

    result = bulk.apply_to_ids(BulkAction.CANCEL, [unknown, *(t.id for t in finished)], actor="a")

    assert result.skipped == REASONS_KEPT + 4
    assert len(result.reasons) == REASONS_KEPT
    assert result.reasons[0].startswith(f"{unknown}: ")
    assert result.reasons[1].startswith(f"{finished[0].id}: it is cancelled; only ")


def test_repeated_ids_are_acted_on_once(scheduler: TaskService, bulk: BulkActions) -> None:
    task = scheduler.submit(request()).task

    result = bulk.apply_to_ids(BulkAction.CANCEL, [task.id, task.id], actor="alice")

    assert (len(result.done), result.skipped) == (1, 0)


def test_too_many_ids_are_refused_before_anything_changes(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    tasks = [scheduler.submit(request()).task for _ in range(3)]

    with pytest.raises(TaskInvalid) as caught:
        BulkActions(scheduler, limit=2).apply_to_ids(
            BulkAction.CANCEL, [t.id for t in tasks], actor="alice"
        )

    assert caught.value.field == "ids"
    assert statuses(storage) == {TaskStatus.READY: 3}


def test_count_covers_only_the_tasks_the_action_applies_to(
    scheduler: TaskService,
    worker_service: WorkerService,
    bulk: BulkActions,
    running_task: RunningTask,
) -> None:
    # First, because running_task's worker claims every ready task.
    failed = running_task(max_attempts=1)
    worker_service.fail(failed, RuntimeError("boom"))
    scheduler.submit(request())
    scheduler.submit(request(run_after=T0 + timedelta(hours=1)))
    everything = TaskFilter()

    counts = {action: bulk.count(action, everything) for action in BulkAction}

    assert counts == {
        BulkAction.CANCEL: 2,
        BulkAction.RETRY: 1,
        BulkAction.RUN_NOW: 1,
        BulkAction.DELETE: 1,
    }
    # The filter's own statuses narrow further; disjoint ones leave nothing.
    assert bulk.count(BulkAction.CANCEL, TaskFilter(statuses=frozenset({TaskStatus.READY}))) == 1
    assert bulk.count(BulkAction.RETRY, TaskFilter(statuses=frozenset({TaskStatus.READY}))) == 0


def test_apply_to_filter_walks_every_page_and_leaves_other_tasks_alone(
    scheduler: TaskService, storage: InMemoryStorage, clock: ManualClock
) -> None:
    # More than one page, with ties on enqueued_at across the page boundary.
    for n in range(BULK_BATCH + 20):
        if n % 100 == 0:
            clock.advance(timedelta(seconds=1))
        scheduler.submit(request(queue="emails"))
    others = [scheduler.submit(request(queue="default")).task for _ in range(5)]

    result = BulkActions(scheduler).apply_to_filter(
        BulkAction.CANCEL, TaskFilter(queue="emails"), actor="alice"
    )

    assert len({t.id for t in result.tasks}) == BULK_BATCH + 20
    assert (result.skipped, result.capped) == (0, False)
    assert statuses(storage) == {TaskStatus.CANCELLED: BULK_BATCH + 20, TaskStatus.READY: 5}
    assert {scheduler.status(t.id).status for t in others} == {TaskStatus.READY}


def test_apply_to_filter_stops_at_the_cap_and_says_so(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    for _ in range(5):
        scheduler.submit(request())

    result = BulkActions(scheduler, limit=3).apply_to_filter(
        BulkAction.CANCEL, TaskFilter(), actor="alice"
    )

    assert (len(result.done), result.capped) == (3, True)
    assert statuses(storage) == {TaskStatus.CANCELLED: 3, TaskStatus.READY: 2}


def test_exactly_the_cap_is_not_reported_as_capped(scheduler: TaskService) -> None:
    for _ in range(3):
        scheduler.submit(request())

    result = BulkActions(scheduler, limit=3).apply_to_filter(
        BulkAction.CANCEL, TaskFilter(), actor="alice"
    )

    assert (len(result.done), result.capped) == (3, False)


def test_retry_run_now_and_delete_by_filter(
    scheduler: TaskService,
    worker_service: WorkerService,
    storage: InMemoryStorage,
    bulk: BulkActions,
    running_task: RunningTask,
) -> None:
    failed = running_task(max_attempts=1)
    worker_service.fail(failed, RuntimeError("boom"))
    later = scheduler.submit(request(run_after=T0 + timedelta(hours=1))).task

    retried = bulk.apply_to_filter(BulkAction.RETRY, TaskFilter(), actor="alice")
    ran = bulk.apply_to_filter(BulkAction.RUN_NOW, TaskFilter(), actor="alice")
    scheduler.cancel(failed.id)
    deleted = bulk.apply_to_filter(BulkAction.DELETE, TaskFilter(), actor="alice")

    assert [(d.task.id, d.from_status) for d in retried.done] == [(failed.id, TaskStatus.FAILED)]
    assert [(d.task.id, d.from_status) for d in ran.done] == [(later.id, TaskStatus.SCHEDULED)]
    assert [d.task.id for d in deleted.done] == [failed.id]
    assert statuses(storage) == {TaskStatus.READY: 1}


def test_a_running_task_gets_a_cancel_request(bulk: BulkActions, running_task: RunningTask) -> None:
    task = running_task()

    result = bulk.apply_to_ids(BulkAction.CANCEL, [task.id], actor="alice")

    [done] = result.tasks
    assert (done.status, done.cancel_requested) == (TaskStatus.RUNNING, True)


def test_a_task_that_moved_meanwhile_is_skipped(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    task = scheduler.submit(request()).task

    class CancelledMeanwhile(TaskService):
        def cancel(self, task_id: object, *, actor: str = "system") -> object:  # type: ignore[override]
            super().cancel(task.id)
            return super().cancel(task.id, actor=actor)

    racing = CancelledMeanwhile(
        tasks=storage.tasks, queue=storage.queue, catalog=storage.catalog, clock=storage.clock
    )

    result = BulkActions(racing).apply_to_ids(BulkAction.CANCEL, [task.id], actor="alice")

    assert (result.done, result.skipped) == ([], 1)
