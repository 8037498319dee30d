"""A first round trip through the ORM adapters."""

from __future__ import annotations

from datetime import timedelta

from scheduler_core.domain import Task, TaskStatus
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository


def test_add_claim_succeed_round_trip(tasks: DjangoTaskRepository, queue: DjangoQueue) -> None:
    now = tasks.clock.now()
    task = Task.create("demo.add", now=now, args=[1, 2], kwargs={"x": "é"}, priority=5)
    tasks.add(task)
    assert tasks.get(task.id) == task
    [claimed] = queue.claim("w1", ["default"], 10, timedelta(seconds=30))
    assert claimed.status is TaskStatus.RUNNING and claimed.attempt == 1
    assert claimed.worker_ids == ["w1"]
    claimed.succeed({"sum": 3}, attempt=1, now=tasks.clock.now())
    tasks.update(claimed, expected_status=TaskStatus.RUNNING, expected_attempt=1)
    stored = tasks.get(task.id)
    assert stored.status is TaskStatus.SUCCEEDED and stored.result == {"sum": 3}
    assert [t.to_status for t in tasks.transitions(task.id)] == [
        TaskStatus.RUNNING,
        TaskStatus.SUCCEEDED,
    ]
