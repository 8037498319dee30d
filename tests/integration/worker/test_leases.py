"""A worker's heartbeat keeps alive only the leases of the tasks its supervisor holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus, WorkerNotFound, WorkerState
from scheduler_core.domain.records import WORKER_LOST
from scheduler_core.storage.queue import DjangoQueue
from scheduler_core.storage.task_repository import DjangoTaskRepository

from .conftest import LEASE_SECONDS, WorkerProcess, wait_until

pytestmark = pytest.mark.slow

# A queue the first worker does not serve, so that it never claims the task itself.
ELSEWHERE = "elsewhere"


def running_under(services: Services, worker_id: str) -> bool:
    """True once the worker registered and started claiming."""
    try:
        return services.workers.get_worker(worker_id).state is WorkerState.RUNNING
    except WorkerNotFound:
        return False


def test_a_running_task_the_supervisor_does_not_hold_lapses_and_is_rescued(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
    alias: str,
) -> None:
    """As when the worker could not write a task's outcome: the store says w1 runs it."""
    worker = start_worker("--queues", "default")
    wait_until(lambda: running_under(services, "w1"), what="the worker to start")
    task = submit("record", str(log_file), "ran", queue=ELSEWHERE, max_attempts=3)
    lease = timedelta(seconds=LEASE_SECONDS)
    [orphan] = DjangoQueue(DjangoTaskRepository(alias)).claim("w1", [ELSEWHERE], 1, lease)
    # It ran (its start is stamped), so losing it costs its attempt.
    services.workers.mark_started("w1", [(orphan.id, orphan.attempt)])
    claimed_at = orphan.started_at
    assert orphan.id == task.id and claimed_at is not None

    wait_until(
        lambda: services.workers.get_worker("w1").last_heartbeat > claimed_at,
        what="a heartbeat of w1 after the claim",
    )
    stored = services.tasks.status(task.id)
    # Not extended by it (unless already rescued: the lease is short).
    assert stored.status is not TaskStatus.RUNNING or (
        stored.lease_expires_at == orphan.lease_expires_at
    )
    wait_until(
        lambda: services.tasks.status(task.id).status is not TaskStatus.RUNNING,
        timeout=LEASE_SECONDS + 20,
        what="the rescue of the task w1 does not hold",
    )

    rescued = services.tasks.status(task.id)
    assert [error.exception_type for error in rescued.errors] == [WORKER_LOST]
    assert rescued.attempt == 1
    assert worker.process.poll() is None
    # Rescued, the task runs to its end on a worker of its queue.
    start_worker("--queues", ELSEWHERE)
    wait_until(
        lambda: services.tasks.status(task.id).status is TaskStatus.SUCCEEDED,
        what="the retry to succeed",
    )
    assert services.tasks.status(task.id).worker_ids == ["w1", "w2"]
    assert log_file.read_text().split()[0] == "ran"
