"""Every in-memory adapter wired to one clock: the memory storage of the composition root."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scheduler_core.domain.ports import Clock, SystemClock

from .catalog import InMemoryTaskCatalog
from .queue import InMemoryQueue
from .task_repository import InMemoryTaskRepository
from .worker_repository import InMemoryWorkerRepository
from .workflow_repository import InMemoryWorkflowRepository


@dataclass(frozen=True, slots=True)
class InMemoryStorage:
    """The in-memory adapters of every port, sharing one clock and one task lock."""

    clock: Clock
    tasks: InMemoryTaskRepository
    workers: InMemoryWorkerRepository
    queue: InMemoryQueue
    catalog: InMemoryTaskCatalog

    @classmethod
    def create(cls, clock: Clock | None = None, task_names: Iterable[str] = ()) -> InMemoryStorage:
        """Fresh, empty storage on `clock` (the system clock by default)."""
        clock = SystemClock() if clock is None else clock
        tasks = InMemoryTaskRepository(clock)
        workers = InMemoryWorkerRepository(clock, tasks.running_by_worker)
        return cls(
            clock=clock,
            tasks=tasks,
            workers=workers,
            queue=InMemoryQueue(tasks, clock, workers.has_exited),
            catalog=InMemoryTaskCatalog(task_names),
        )

    @property
    def workflows(self) -> InMemoryWorkflowRepository:
        """Workflow runs, kept by the task repository beside their steps."""
        return InMemoryWorkflowRepository(self.tasks)
