"""SIGTERM to a worker's whole process group drains; its final state is written however."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus, WorkerState

from .conftest import WorkerProcess, wait_until
from .executions import executions
from .faults import started, state_of, status
from .processes import group_members, signal_each

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("how", ["process group", "every process"])
def test_sigterm_to_the_whole_worker_drains_like_a_single_sigterm(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
    how: str,
) -> None:
    """What `systemctl stop`, `timeout`, Docker and `kill -- -PGID` do."""
    worker = start_worker("--concurrency", "2")
    tasks = [submit("traced", str(log_file), 2, f"t{n}") for n in range(2)]
    wait_until(started(log_file, 2), what="both tasks to start")

    if how == "process group":
        worker.signal_group(signal.SIGTERM)
    else:
        signal_each(group_members(worker.pid), signal.SIGTERM)

    assert worker.wait(timeout=20) == 0
    for task in tasks:
        stored = services.tasks.status(task.id)
        assert (stored.status, stored.attempt, stored.errors) == (TaskStatus.SUCCEEDED, 1, [])
    assert all(run.ended for runs in executions(log_file).values() for run in runs)
    assert state_of(services, "w1") is WorkerState.STOPPED
    assert "EOFError" not in worker.output()


def test_the_final_state_is_written_on_a_fresh_connection_after_its_own_was_cut(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
    backend: str,
    alias: str,
) -> None:
    """A clean SIGTERM after pg_terminate_backend: the row must not stay `running`."""
    if backend != "postgres":
        pytest.skip("cutting a worker's connections from outside needs PostgreSQL")
    # A lease long enough that a loaded machine cannot make the worker look dead meanwhile.
    worker = start_worker("--lease", "15")
    task = submit("traced", str(log_file), 0.1, "one")
    wait_until(lambda: status(services, task) is TaskStatus.SUCCEEDED, what="the task to run")
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connections[alias].close()

    worker.signal(signal.SIGTERM)

    assert worker.wait(timeout=30) == 0
    assert state_of(services, "w1") is WorkerState.STOPPED
