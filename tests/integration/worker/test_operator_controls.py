"""Operator controls reach a real worker within a second: cancel of a running task (a
notification on PostgreSQL, the control thread's poll on SQLite), quiet and stop.

The lease is a minute, so the heartbeat, which also carries cancels, comes only every
20 s: what arrives sooner came by the control path.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.worker_commands import WorkerCommand

from .conftest import WorkerProcess, wait_until

LONG_LEASE = ("--lease", "60", "--concurrency", "1")
# The promise is a second; the margin covers a loaded two-core machine.
WITHIN = 2.0


def running(services: Services, task: Task) -> bool:
    found = services.scheduler.status(task.id)
    return found.status is TaskStatus.RUNNING and found.attempt_started_at is not None


def test_a_cancel_stops_a_running_task_within_a_second(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker(*LONG_LEASE)
    task = submit("sleep_for", 60)
    wait_until(lambda: running(services, task), timeout=60, what="the task to start")

    asked = time.monotonic()
    services.scheduler.cancel(task.id, actor="alice")
    wait_until(
        lambda: services.scheduler.status(task.id).status is TaskStatus.CANCELLED,
        timeout=15,
        what="the cancel",
    )

    assert time.monotonic() - asked < WITHIN, worker.output()


def test_quiet_stops_claims_and_stop_drains_and_exits(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker(*LONG_LEASE)
    first = submit("noop")
    wait_until(
        lambda: services.scheduler.status(first.id).status is TaskStatus.SUCCEEDED,
        timeout=60,
        what="the worker to run a task",
    )

    asked = time.monotonic()
    services.control.ask("w1", WorkerCommand.QUIET, actor="alice")
    wait_until(
        lambda: (state := services.control.command_of("w1")) and state.obeyed_at,
        timeout=15,
        what="the worker to obey",
    )
    assert time.monotonic() - asked < WITHIN
    waiting = submit("noop")
    # A claim already in flight is handed back unstarted and rescued to ready at once.
    time.sleep(3)
    left = services.scheduler.status(waiting.id)
    assert (left.status, left.attempt_started_at) == (TaskStatus.READY, None)
    assert worker.process.poll() is None

    asked = time.monotonic()
    services.control.ask("w1", WorkerCommand.STOP, actor="alice")

    assert worker.wait(timeout=15) == 0
    assert time.monotonic() - asked < 10
    assert services.scheduler.status(waiting.id).status is TaskStatus.READY
    assert "asked to stop by an operator" in worker.output()
