"""What a worker does with tasks that crash, hang, fail or are cancelled while running."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus

from .conftest import WorkerProcess, wait_until

pytestmark = pytest.mark.slow


def finished(services: Services, task_id: UUID) -> bool:
    """True once the task reached a terminal state."""
    return services.tasks.status(task_id).is_terminal()


@pytest.mark.parametrize("pool", ["process", "thread"])
def test_a_task_that_always_fails_gets_exactly_max_attempts(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
    pool: str,
) -> None:
    start_worker("--pool", pool)
    task = submit("always_fails", str(log_file), max_attempts=3)

    wait_until(lambda: finished(services, task.id), timeout=60, what="the last attempt")

    stored = services.tasks.status(task.id)
    assert stored.status is TaskStatus.FAILED
    assert stored.attempt == 3
    assert len(log_file.read_text().splitlines()) == 3
    assert [e.attempt for e in stored.errors] == [1, 2, 3]
    assert all("RuntimeError" in e.exception_type for e in stored.errors)
    assert all("this task always fails" in e.traceback for e in stored.errors)


def test_a_slot_process_that_dies_is_replaced_and_its_task_retried(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    worker = start_worker("--concurrency", "1")
    crashing = submit("crash", 3, max_attempts=2)
    wait_until(lambda: finished(services, crashing.id), timeout=60, what="both attempts")
    after = submit("record", str(log_file), "still-working")

    wait_until(lambda: finished(services, after.id), timeout=30, what="the next task")

    stored = services.tasks.status(crashing.id)
    assert stored.status is TaskStatus.FAILED
    assert [e.exception_type for e in stored.errors] == ["scheduler_core.SlotCrashed"] * 2
    assert "code 3" in stored.errors[0].message
    assert services.tasks.status(after.id).status is TaskStatus.SUCCEEDED
    assert worker.process.poll() is None


@pytest.mark.parametrize("pool", ["process", "thread"])
def test_a_hard_timeout_stops_only_that_task(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
    pool: str,
) -> None:
    start_worker("--concurrency", "2", "--pool", pool)
    hanging = submit("hangs", 30, timeout=1, max_attempts=1)
    neighbour = submit("sleep_for", 2, str(log_file), max_attempts=1)

    wait_until(lambda: finished(services, hanging.id), timeout=30, what="the timeout")
    wait_until(lambda: finished(services, neighbour.id), timeout=30, what="the neighbour")

    timed_out = services.tasks.status(hanging.id)
    assert timed_out.status is TaskStatus.FAILED
    assert timed_out.errors[0].exception_type == "TimeoutError"
    assert "timeout of 1" in timed_out.errors[0].message
    assert services.tasks.status(neighbour.id).status is TaskStatus.SUCCEEDED


@pytest.mark.parametrize("pool", ["process", "thread"])
def test_cancelling_a_running_task_stops_it(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
    pool: str,
) -> None:
    worker = start_worker("--pool", pool)
    task = submit("sleep_for", 60, str(log_file), max_attempts=1)
    wait_until(lambda: "start" in log_file.read_text(), what="the task to start")

    services.tasks.cancel(task.id, actor="operator")

    # Noticed within a heartbeat (a third of the 3 s lease), not after the minute's sleep.
    wait_until(lambda: finished(services, task.id), timeout=15, what="the cancellation")
    assert services.tasks.status(task.id).status is TaskStatus.CANCELLED
    worker.signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
