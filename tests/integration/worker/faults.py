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


def status(services: Services, task: Task) -> TaskStatus:
    return services.scheduler.status(task.id).status


def slot_pids(log: Path) -> list[int]:
    """The slot processes that started executions so far."""
    return sorted({int(line.split()[2].split("-")[0]) for line in log.read_text().splitlines()})
