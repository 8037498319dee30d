"""Signals: SIGTERM drains, a second signal stops at once, SIGKILL is survived by rescue."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus, WorkerState
from scheduler_core.domain.ports import SubmitRequest

from .conftest import LEASE_SECONDS, WorkerProcess, task_name, wait_until
from .faults import stamped

pytestmark = pytest.mark.slow


def status(services: Services, task: Task) -> TaskStatus:
    """The task's stored status."""
    return services.tasks.status(task.id).status


def test_sigterm_lets_the_running_task_finish_then_exits_zero(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    worker = start_worker("--concurrency", "2")
    task = submit("sleep_for", 2, str(log_file), max_attempts=1)
    wait_until(lambda: "start" in log_file.read_text(), what="the task to start")

    worker.signal(signal.SIGTERM)

    assert worker.wait(timeout=30) == 0
    assert status(services, task) is TaskStatus.SUCCEEDED
    assert services.workers._workers.get("w1").state is WorkerState.STOPPED
    assert "draining" in worker.output()


def test_sigterm_past_the_shutdown_timeout_releases_the_task_for_rescue(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    worker = start_worker("--shutdown-timeout", "1")
    task = submit("sleep_for", 60, str(log_file), max_attempts=2)
    wait_until(lambda: "start" in log_file.read_text(), what="the task to start")

    worker.signal(signal.SIGTERM)

    assert worker.wait(timeout=30) == 0
    assert str(task.id) in worker.output()
    # Released: its lease ended, so the next rescue pass hands it out again.
    assert services.rescuer.rescue_expired().retried == 1
    assert status(services, task) is TaskStatus.RETRYING


def test_a_second_signal_stops_at_once(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    worker = start_worker("--shutdown-timeout", "120")
    task = submit("sleep_for", 60, str(log_file), max_attempts=2)
    wait_until(lambda: "start" in log_file.read_text(), what="the task to start")

    worker.signal(signal.SIGTERM)
    wait_until(lambda: "draining" in worker.output(), what="the worker to drain")
    worker.signal(signal.SIGINT)

    assert worker.wait(timeout=20) == 1
    assert services.rescuer.rescue_expired().retried == 1
    assert status(services, task) is TaskStatus.RETRYING


def test_after_sigkill_another_worker_completes_the_task(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    first = start_worker()
    task = submit("sleep_for", 1.5, str(log_file), max_attempts=3)
    # Its start stored too: a claim killed before its start was stamped is given back
    # without costing an attempt (faults.stamped).
    wait_until(stamped(services, task, log_file), what="the task to start")
    slot_pid = int(log_file.read_text().split()[1])

    first.signal(signal.SIGKILL)
    first.wait(timeout=10)
    # The slot process dies with its supervisor rather than finish the task unseen.
    wait_until(lambda: not _alive(slot_pid), timeout=10, what="the orphaned slot to die")
    start_worker()

    wait_until(
        lambda: status(services, task) is TaskStatus.SUCCEEDED,
        timeout=LEASE_SECONDS + 30,
        what="the second worker to finish the task",
    )
    stored = services.tasks.status(task.id)
    assert stored.attempt == 2
    assert stored.worker_ids == ["w1", "w2"]
    assert stored.errors[0].exception_type == "WorkerLost"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_draining_worker_hands_its_buffered_claims_back_unstarted(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    # One slot, busy past the SIGTERM; the claims behind it wait in the worker's buffer.
    # Started in a slot freed late in the drain, one could be stopped at the deadline
    # before its body began, its start stamped: an attempt charged for nothing (a chaos
    # run found it). They go back unstarted when the drain begins.
    worker = start_worker("--concurrency", "1", "--shutdown-timeout", "10")
    # Short tasks first: the buffer opens once tasks are seen to take under 50 ms.
    warm = [submit("record", str(log_file), f"warm-{n}") for n in range(12)]
    wait_until(
        lambda: all(status(services, task) is TaskStatus.SUCCEEDED for task in warm),
        what="the short tasks",
    )
    # In one submit, so that one claim takes them all: the long one (first, by priority)
    # goes to the slot, the others to the buffer behind it.
    submitted = services.tasks.submit_many(
        [
            SubmitRequest(
                name=task_name("sleep_for"), args=[2, str(log_file)], max_attempts=1, priority=9
            ),
            *(
                SubmitRequest(name=task_name("record"), args=[str(log_file), f"buffered-{n}"])
                for n in range(3)
            ),
        ]
    )
    running, *waiting = submitted
    wait_until(lambda: "start" in log_file.read_text(), what="the long task to start")
    wait_until(
        lambda: all(status(services, task) is TaskStatus.RUNNING for task in waiting),
        what="the worker to hold the others in its buffer",
    )

    worker.signal(signal.SIGTERM)

    assert worker.wait(timeout=30) == 0
    assert status(services, running) is TaskStatus.SUCCEEDED
    assert "buffered-" not in log_file.read_text()
    # Given back by the worker itself, at once: ready for another worker without waiting for
    # a rescue pass, and not counted as claims lost with a worker (which past a cap of ten
    # are charged as attempts: a chaos run found a task charged so after eleven drains).
    for task in waiting:
        again = services.tasks.status(task.id)
        assert (again.status, again.attempt, again.dropped_claims) == (TaskStatus.READY, 0, 0)


def test_claims_buffered_behind_a_long_run_go_back_while_it_still_runs(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    # A chaos run found tasks waiting for tens of seconds in a buffer behind long runs,
    # dropped with their worker ten times, then charged an attempt they never ran. After a
    # second there they go back, ready for a worker with a free slot.
    start_worker("--concurrency", "1")
    warm = [submit("record", str(log_file), f"warm-{n}") for n in range(12)]
    wait_until(
        lambda: all(status(services, task) is TaskStatus.SUCCEEDED for task in warm),
        what="the short tasks",
    )
    running, *waiting = services.tasks.submit_many(
        [
            SubmitRequest(
                name=task_name("sleep_for"), args=[8, str(log_file)], max_attempts=1, priority=9
            ),
            *(
                SubmitRequest(name=task_name("record"), args=[str(log_file), f"buffered-{n}"])
                for n in range(3)
            ),
        ]
    )
    wait_until(lambda: "start" in log_file.read_text(), what="the long task to start")

    wait_until(
        lambda: all(status(services, task) is TaskStatus.READY for task in waiting),
        timeout=5,
        what="the buffered claims to go back",
    )
    assert status(services, running) is TaskStatus.RUNNING
    for task in waiting:
        again = services.tasks.status(task.id)
        assert (again.attempt, again.dropped_claims) == (0, 0)
    # Once the long run ends, the worker takes them again and runs each once.
    wait_until(
        lambda: all(status(services, task) is TaskStatus.SUCCEEDED for task in waiting),
        timeout=30,
        what="the buffered tasks to run",
    )
    assert all(services.tasks.status(task.id).attempt == 1 for task in waiting)
