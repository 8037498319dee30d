"""What the worker-fault tests share: who is where, and what has run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus, WorkerNotFound, WorkerState

from .conftest import LEASE_SECONDS

# A queue only the second worker serves, so that it rescues without competing for work.
ELSEWHERE = "elsewhere"
# With the default lease of these tests (3 s), heartbeats go every second.
HEARTBEAT = LEASE_SECONDS / 3


def state_of(services: Services, worker_id: str) -> WorkerState | None:
    try:
        return services.workers.get_worker(worker_id).state
    except WorkerNotFound:
        return None


def started(log: Path, count: int = 1) -> Callable[[], bool]:
    return lambda: log.read_text().count("start ") >= count


def stamped(services: Services, task: Task, log: Path) -> Callable[[], bool]:
    """The task's code began and its start is stored: losing the attempt now costs it.

    The start is stamped by the worker's next write after the slot took the task; on a
    loaded machine the task's first line can come first, and a claim lost before its start
    was stamped is given back without an error or an attempt (docs/workers.md).
    """
    return lambda: started(log)() and services.tasks.status(task.id).attempt_started_at is not None


def status(services: Services, task: Task) -> TaskStatus:
    return services.tasks.status(task.id).status


def slot_pids(log: Path) -> list[int]:
    """The slot processes that started executions so far."""
    return sorted({int(line.split()[2].split("-")[0]) for line in log.read_text().splitlines()})
