"""TaskRepository.promote_due contract: due scheduled and retrying tasks become ready."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler_core.domain import TaskStatus

from .delayed import retrying_task, scheduled_task
from .factories import TaskFactory
from .kits import StorageKit

LEASE = timedelta(minutes=5)
S = TaskStatus


def test_due_scheduled_and_retrying_tasks_become_ready_and_nothing_else_moves(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    due = [scheduled_task(kit, make_task, due=True), retrying_task(kit, make_task, due=True)]
    others = [
        scheduled_task(kit, make_task, due=False),
        retrying_task(kit, make_task, due=False),
        make_task.build(),
        make_task.build(),
    ]
    others[-1].cancel(now=kit.now())
    kit.tasks.add_many(due + others)
    running = make_task.add_running()
    before = {task.id: kit.tasks.get(task.id) for task in [*due, *others, running]}

    assert kit.tasks.promote_due(10) == 2

    for task in due:
        promoted = kit.tasks.get(task.id)
        assert promoted.status is S.READY
        # Only the status moved: run_after still orders the claim, the attempt stays.
        promoted.status = before[task.id].status
        assert promoted == before[task.id]
    for task in [*others, running]:
        assert kit.tasks.get(task.id) == before[task.id]
    assert kit.tasks.promote_due(10) == 0


def test_each_promotion_is_logged_by_the_promoter(kit: StorageKit, make_task: TaskFactory) -> None:
    scheduled = scheduled_task(kit, make_task, due=True)
    retrying = retrying_task(kit, make_task, due=True)
    kit.tasks.add_many([scheduled, retrying])
    earlier = {task.id: kit.tasks.transitions(task.id) for task in (scheduled, retrying)}
    start = kit.now()

    kit.tasks.promote_due(10)

    end = kit.now()
    for task, attempt in ((scheduled, 0), (retrying, 1)):
        history = kit.tasks.transitions(task.id)
        assert history[:-1] == earlier[task.id]
        last = history[-1]
        assert (last.task_id, last.from_status, last.to_status) == (task.id, task.status, S.READY)
        assert (last.actor, last.reason, last.attempt) == ("promoter", "due", attempt)
        assert start <= last.at <= end


def test_promote_due_moves_no_more_than_the_limit_oldest_first(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    now = kit.now()
    tasks = [
        scheduled_task(kit, make_task, due=True, run_after=now - timedelta(seconds=s))
        for s in (1, 5, 3, 2, 4)
    ]
    kit.tasks.add_many(tasks)
    oldest = {tasks[1].id, tasks[4].id}

    assert kit.tasks.promote_due(2) == 2

    assert {t.id for t in kit.tasks.find_by_status(S.READY, 10)} == oldest
    assert kit.tasks.promote_due(2) == 2
    assert kit.tasks.promote_due(2) == 1
    assert kit.tasks.count_by_status()[S.READY] == 5


@pytest.mark.parametrize("limit", [0, -1])
def test_promote_due_refuses_a_limit_below_one(
    kit: StorageKit, make_task: TaskFactory, limit: int
) -> None:
    task = make_task.store(scheduled_task(kit, make_task, due=True))

    with pytest.raises(ValueError, match="limit"):
        kit.tasks.promote_due(limit)

    assert kit.tasks.get(task.id).status is S.SCHEDULED


def test_a_promoted_task_is_claimed_like_any_ready_task(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    retrying = make_task.store(retrying_task(kit, make_task, due=True))
    kit.tasks.promote_due(10)

    [claimed] = kit.queue.claim("w1", ["default"], 10, LEASE)

    assert (claimed.id, claimed.status, claimed.attempt) == (retrying.id, S.RUNNING, 2)
    assert [(t.from_status, t.to_status) for t in kit.tasks.transitions(retrying.id)][-2:] == [
        (S.RETRYING, S.READY),
        (S.READY, S.RUNNING),
    ]
    assert kit.queue.length() == 0
