"""Result expiry: results whose result_ttl ran out are dropped; the tasks stay, marked."""

from __future__ import annotations

from datetime import timedelta

from scheduler_core.domain import Task, TaskStatus

from .factories import TaskFactory
from .kits import StorageKit
from .test_task_pruning_contract import finished_task


def finished_with_ttl(
    make_task: TaskFactory, ttl: int | None, seconds_ago: float, status: TaskStatus
) -> Task:
    """A stored task that reached `status` that long ago, keeping its result `ttl` seconds."""
    return finished_task(make_task, status, days_ago=seconds_ago / 86400, result_ttl=ttl)


def test_only_results_past_their_ttl_are_dropped(kit: StorageKit, make_task: TaskFactory) -> None:
    expired = finished_with_ttl(make_task, 60, 120, TaskStatus.SUCCEEDED)
    failed = finished_with_ttl(make_task, 60, 120, TaskStatus.FAILED)
    fresh = finished_with_ttl(make_task, 3600, 120, TaskStatus.SUCCEEDED)
    forever = finished_with_ttl(make_task, None, 10**6, TaskStatus.SUCCEEDED)
    live = make_task.add(result_ttl=1)

    assert kit.tasks.expire_results(100) == 2

    gone = kit.tasks.get(expired.id)
    assert (gone.result, gone.result_expired, gone.status) == (None, True, TaskStatus.SUCCEEDED)
    assert gone.enqueued_at == expired.enqueued_at
    assert kit.tasks.get(failed.id).result_expired
    for kept in (fresh, forever):
        stored = kit.tasks.get(kept.id)
        assert (stored.result, stored.result_expired) == ("done", False)
    assert not kit.tasks.get(live.id).result_expired
    assert kit.tasks.expire_results(100) == 0


def test_expiry_goes_in_batches(kit: StorageKit, make_task: TaskFactory) -> None:
    for _ in range(5):
        finished_with_ttl(make_task, 1, 60, TaskStatus.SUCCEEDED)

    assert [kit.tasks.expire_results(2) for _ in range(4)] == [2, 2, 1, 0]


def test_tags_and_result_ttl_are_stored_and_read_back(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    one = make_task.add(tags=["billing", "customer:42"], result_ttl=3600)
    [batch] = [make_task.build(tags=["import/2026-05"], result_ttl=5)]
    kit.tasks.add_many([batch])
    due_later = make_task.add(due=False, tags=["later"])

    stored = kit.tasks.get(one.id)
    assert (stored.tags, stored.result_ttl, stored.result_expired) == (
        ["billing", "customer:42"],
        3600,
        False,
    )
    assert kit.tasks.get(batch.id).tags == ["import/2026-05"]
    assert kit.tasks.get(batch.id).result_ttl == 5
    assert kit.tasks.get(due_later.id).tags == ["later"]
    assert kit.tasks.get(make_task.add().id).tags == []


def test_a_retried_task_keeps_its_next_result(kit: StorageKit, make_task: TaskFactory) -> None:
    task = finished_with_ttl(make_task, 1, 60, TaskStatus.FAILED)
    kit.tasks.expire_results(10)
    stored = kit.tasks.get(task.id)

    stored.retry_now(now=kit.now() - timedelta(seconds=1))
    kit.tasks.update(stored, expected_status=TaskStatus.FAILED, expected_attempt=stored.attempt)

    assert not kit.tasks.get(task.id).result_expired
    assert kit.tasks.expire_results(10) == 0
