"""Tasks and workers for the contract tests, timed relative to the storage's own clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from scheduler_core.domain import Task, TaskStatus, Worker, WorkerState

from .kits import StorageKit

# Far enough from now on either side that no test runs long enough to cross the line.
DUE_AGO = timedelta(seconds=1)
NOT_DUE_FOR = timedelta(hours=1)
TASK_NAME = "tests.contract.noop"


class TaskFactory:
    """Valid tasks, due (run_after = now - 1 s) unless asked otherwise (now + 1 h)."""

    def __init__(self, kit: StorageKit) -> None:
        self._kit = kit

    def build(
        self,
        *,
        due: bool = True,
        name: str = TASK_NAME,
        enqueued_at: datetime | None = None,
        **fields: Any,
    ) -> Task:
        """A new task that is not stored; `fields` go to Task.create."""
        now = self._kit.now()
        fields.setdefault("run_after", now - DUE_AGO if due else now + NOT_DUE_FOR)
        return Task.create(name, now=now if enqueued_at is None else enqueued_at, **fields)

    def add(self, *, due: bool = True, **fields: Any) -> Task:
        """A new task, stored."""
        return self.store(self.build(due=due, **fields))

    def store(self, task: Task) -> Task:
        """Store a task built (and perhaps moved along) by the test."""
        self._kit.tasks.add(task)
        return task

    def add_running(
        self, worker_id: str = "w1", lease: timedelta = NOT_DUE_FOR, **fields: Any
    ) -> Task:
        """A stored task that `worker_id` claimed just now, holding a lease of `lease`."""
        task = self.build(**fields)
        task.claim(worker_id, now=self._kit.now(), lease=lease)
        self._kit.tasks.add(task)
        return task

    def add_running_asked_to_cancel(self, worker_id: str = "w1") -> Task:
        """A stored task that `worker_id` runs, whose cancel an operator has since asked."""
        task = self.add_running(worker_id)
        task.request_cancel(now=self._kit.now(), actor="operator")
        self._kit.tasks.update(task, expected_status=TaskStatus.RUNNING, expected_attempt=1)
        return task


class WorkerFactory:
    """Valid workers that started and last beat their heart now."""

    def __init__(self, kit: StorageKit) -> None:
        self._kit = kit

    def build(
        self,
        worker_id: str = "w1",
        *,
        queues: tuple[str, ...] = ("default",),
        concurrency: int = 4,
        state: WorkerState = WorkerState.STARTING,
        **fields: Any,
    ) -> Worker:
        """A worker that is not stored; `fields` override the remaining attributes."""
        now = self._kit.now()
        values: dict[str, Any] = {
            "hostname": "host-1",
            "pid": 4242,
            "started_at": now,
            "last_heartbeat": now,
        }
        values.update(fields)
        return Worker(id=worker_id, queues=queues, concurrency=concurrency, state=state, **values)

    def add(self, worker_id: str = "w1", **fields: Any) -> Worker:
        """A worker, registered."""
        worker = self.build(worker_id, **fields)
        self._kit.workers.register(worker)
        return worker
