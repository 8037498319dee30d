"""InMemoryTaskRepository.promote_due beyond the contract: the clock, the index, the order."""

from __future__ import annotations

from datetime import timedelta

from scheduler_core.domain import TaskStatus
from scheduler_core.memory import InMemoryStorage, ManualClock

from .conftest import LEASE, make_task


def test_promotion_follows_the_manual_clock_oldest_run_after_first(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    late, early = (make_task(clock, delay=timedelta(seconds=s)) for s in (20, 10))
    storage.tasks.add_many([late, early])

    assert storage.tasks.promote_due(5) == 0
    clock.advance(timedelta(seconds=20))
    assert storage.tasks.promote_due(1) == 1

    assert storage.tasks.get(early.id).status is TaskStatus.READY
    assert storage.tasks.get(late.id).status is TaskStatus.SCHEDULED


def test_promoted_tasks_stay_in_the_index_once_each(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    high = make_task(clock, delay=timedelta(seconds=10), priority=5)
    low = make_task(clock, delay=timedelta(seconds=5))
    storage.tasks.add_many([high, low])
    clock.advance(timedelta(seconds=10))
    waiting = storage.queue.length()

    assert storage.tasks.promote_due(10) == 2

    assert storage.queue.length() == waiting == 2
    claimed = storage.queue.claim("w1", ["default"], 10, LEASE)
    assert [task.id for task in claimed] == [high.id, low.id]
    assert storage.queue.length() == 0
    assert storage.queue.claim("w2", ["default"], 10, LEASE) == []
