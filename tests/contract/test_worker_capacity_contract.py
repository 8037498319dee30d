"""A worker's running attempts, as every adapter reports them: the tasks it holds.

The design's capacity rule (`Worker.has_capacity`, `WorkerRepository.find_available`)
rests on `active_task_ids`. It is read from the tasks a worker holds, not stored on the
worker: the ORM store once kept a column nobody wrote, so a full worker looked idle and
`GET /api/v1/workers` listed no running task while the dashboard showed them.
"""

from __future__ import annotations

from datetime import timedelta

from scheduler_core.domain import TaskStatus, WorkerState

from .factories import TaskFactory, WorkerFactory
from .kits import StorageKit

LEASE = timedelta(minutes=5)


def test_a_worker_holds_the_tasks_it_claimed_until_they_end(
    kit: StorageKit, make_worker: WorkerFactory, make_task: TaskFactory
) -> None:
    make_worker.add("w1", state=WorkerState.RUNNING, concurrency=2)
    make_worker.add("w2", state=WorkerState.RUNNING, concurrency=2)
    first, second, other = (make_task.add() for _ in range(3))

    claimed = kit.queue.claim("w1", ["default"], 2, LEASE)
    [elsewhere] = kit.queue.claim("w2", ["default"], 1, LEASE)

    assert {task.id for task in claimed} == {first.id, second.id}
    assert elsewhere.id == other.id
    full = kit.workers.get("w1")
    assert full.active_task_ids == {first.id, second.id}
    assert not full.has_capacity()
    assert {w.id for w in kit.workers.find_available()} == {"w2"}
    listed = {worker.id: worker.active_task_ids for worker in kit.workers.list_all()}
    assert listed == {"w1": {first.id, second.id}, "w2": {other.id}}

    done = claimed[0]
    done.succeed(None, attempt=1, now=kit.now())
    kit.tasks.update(done, expected_status=TaskStatus.RUNNING, expected_attempt=1)

    assert kit.workers.get("w1").active_task_ids == {claimed[1].id}
    assert {w.id for w in kit.workers.find_available()} == {"w1", "w2"}
