"""A SIGKILLed supervisor: its slots and forkserver die with it, and the retry runs alone.

Real processes and signals on both engines; the tasks' own execution log (tasks.traced)
counts executions alive at once and attempts charged for executions that never happened.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.records import WORKER_LOST

from .conftest import LEASE_SECONDS, WorkerProcess, wait_until
from .executions import executions, overlaps
from .faults import slot_pids, stamped, status
from .processes import alive, parent_of

pytestmark = pytest.mark.slow


def test_a_sigkilled_supervisor_takes_its_slots_and_forkserver_down_within_a_second(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    first = start_worker("--concurrency", "2")
    task = submit("traced", str(log_file), 8, "long")
    wait_until(stamped(services, task, log_file), what="the task to start")
    [slot] = slot_pids(log_file)
    forkserver = parent_of(slot)
    assert forkserver is not None and forkserver != first.pid

    first.signal(signal.SIGKILL)
    killed_at = time.monotonic()
    wait_until(
        lambda: not alive(slot) and not alive(forkserver),
        timeout=5,
        what="the slot and the forkserver to die",
    )
    assert time.monotonic() - killed_at < 1.0
    start_worker("--queues", "default")

    wait_until(
        lambda: status(services, task) is TaskStatus.SUCCEEDED,
        timeout=LEASE_SECONDS + 30,
        what="the retry to succeed",
    )
    assert overlaps(log_file) == []
    stored = services.tasks.status(task.id)
    assert [error.exception_type for error in stored.errors] == [WORKER_LOST]
    assert stored.attempt == len(executions(log_file)["long"]) == 2
