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
    found = services.tasks.status(task.id)
    return found.status is TaskStatus.RUNNING and found.attempt_started_at is not None


def test_a_cancel_stops_a_running_task_within_a_second(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker(*LONG_LEASE)
    task = submit("sleep_for", 60)
    wait_until(lambda: running(services, task), timeout=60, what="the task to start")

    asked = time.monotonic()
    services.tasks.cancel(task.id, actor="alice")
    wait_until(
        lambda: services.tasks.status(task.id).status is TaskStatus.CANCELLED,
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
        lambda: services.tasks.status(first.id).status is TaskStatus.SUCCEEDED,
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
    left = services.tasks.status(waiting.id)
    assert (left.status, left.attempt_started_at) == (TaskStatus.READY, None)
    assert worker.process.poll() is None

    asked = time.monotonic()
    services.control.ask("w1", WorkerCommand.STOP, actor="alice")

    assert worker.wait(timeout=15) == 0
    assert time.monotonic() - asked < 10
    assert services.tasks.status(waiting.id).status is TaskStatus.READY
    assert "asked to stop by an operator" in worker.output()


def test_a_quiet_worker_resumed_claims_again(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker(*LONG_LEASE)
    services.control.ask("w1", WorkerCommand.QUIET, actor="alice")
    wait_until(
        lambda: (state := services.control.command_of("w1")) and state.obeyed_at,
        timeout=60,
        what="the worker to go quiet",
    )
    waiting = submit("noop")
    time.sleep(2)
    assert services.tasks.status(waiting.id).status is TaskStatus.READY

    asked = time.monotonic()
    services.control.ask("w1", WorkerCommand.RESUME, actor="alice")
    try:
        wait_until(
            lambda: services.tasks.status(waiting.id).status is TaskStatus.SUCCEEDED,
            timeout=15,
            what="the resumed worker to run the task",
        )
    except AssertionError as error:
        raise AssertionError(worker.output()) from error
    # SQLite's idle fetcher polls every second or so: within a few seconds either way.
    assert time.monotonic() - asked < 5, worker.output()


def test_the_heartbeat_reports_attempts_run_and_failed_and_memory(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    # A 3 s lease: a heartbeat every second.
    start_worker("--lease", "3", "--concurrency", "1")
    done = [submit("noop") for _ in range(3)]
    failing = submit("always_fails", "")

    def reported() -> bool:
        load = services.workers.get_worker("w1").load
        return load.processed == 3 + 3 and load.failed == 3

    wait_until(
        lambda: (
            all(services.tasks.status(t.id).status is TaskStatus.SUCCEEDED for t in done)
            and services.tasks.status(failing.id).status is TaskStatus.FAILED
        ),
        timeout=60,
        what="the tasks to finish",
    )
    wait_until(reported, timeout=15, what="a heartbeat with the counts")
    rss = services.workers.get_worker("w1").load.rss_bytes
    # The supervisor alone holds Django and the task modules: tens of megabytes at least.
    assert rss is not None and 20 * 2**20 < rss < 4 * 2**30
