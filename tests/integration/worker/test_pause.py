"""Workers paused past their lease (SIGSTOP of the supervisor, or of every process).

Real processes and signals on both engines; the tasks' own execution log (tasks.traced)
counts executions alive at once and attempts charged for executions that never happened.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus, WorkerState
from scheduler_core.domain.records import CLAIM_DROPPED
from scheduler_core.executor.buffer_sizing import HELD_WORK_PER_SLOT

from .conftest import LEASE_SECONDS, WorkerProcess, wait_until
from .executions import executions, overlaps
from .faults import ELSEWHERE, HEARTBEAT, slot_pids, stamped, started, state_of, status

pytestmark = pytest.mark.slow


def test_a_supervisor_frozen_past_its_lease_stops_its_attempt_before_the_retry_can_start(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    """SIGSTOP of the supervisor alone: its slot goes on running unless it stops itself."""
    first = start_worker("--queues", f"default,{ELSEWHERE}")
    task = submit("traced", str(log_file), 8, "long")
    wait_until(stamped(services, task, log_file), what="the task to start")
    first.signal(signal.SIGSTOP)
    stopped_at = time.monotonic()
    # The rescuer and the retry run on a second worker.
    start_worker("--queues", "default")

    wait_until(
        lambda: status(services, task) is TaskStatus.SUCCEEDED,
        timeout=LEASE_SECONDS + 30,
        what="the retry to succeed on the second worker",
    )
    assert overlaps(log_file) == []
    [lost, retry] = executions(log_file)["long"]
    assert not lost.ended and retry.ended
    assert services.tasks.status(task.id).attempt == 2

    # Resumed well past three leases, the first worker comes back under a new id and runs
    # new work within two heartbeats.
    time.sleep(max(0.0, 3 * LEASE_SECONDS - (time.monotonic() - stopped_at)))
    first.signal(signal.SIGCONT)
    resumed_at = time.monotonic()
    fresh = submit("traced", str(log_file), 0.1, "after", queue=ELSEWHERE)
    wait_until(
        lambda: status(services, fresh) is TaskStatus.SUCCEEDED,
        timeout=30,
        what="the resumed worker to run new work",
    )
    recovered = time.monotonic() - resumed_at
    assert recovered <= 2 * HEARTBEAT + 1.5, f"recovered after {recovered:.1f}s"
    assert state_of(services, "w1") is WorkerState.DEAD
    [comeback] = [
        worker
        for worker in services.workers.list_workers()
        if worker.id not in ("w1", "w2") and worker.state is WorkerState.RUNNING
    ]
    assert services.tasks.status(fresh.id).worker_id == comeback.id
    assert first.process.poll() is None


def test_a_whole_worker_paused_for_three_leases_burns_no_attempt_and_does_not_storm(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    """SIGSTOP of every process of the worker (a VM pause, a laptop lid) with work buffered."""
    first = start_worker("--concurrency", "2")
    tasks = [submit("traced", str(log_file), 0.02, f"t{n}") for n in range(400)]
    wait_until(started(log_file, 60), what="the worker to get going")
    pause_whole_worker(first, start_worker)

    wait_until(
        lambda: all(status(services, task).is_terminal for task in tasks),
        timeout=120,
        what="every task to finish",
    )
    stored = [services.tasks.status(task.id) for task in tasks]
    runs = executions(log_file)
    assert [t.id for t in stored if t.status is not TaskStatus.SUCCEEDED] == []
    assert overlaps(log_file) == []
    burnt = [t for t in stored if t.attempt > len(runs.get(t.args[2], []))]
    assert burnt == []
    given_back = sum(
        1
        for task in tasks
        for transition in services.tasks.transitions(task.id)
        if transition.reason.startswith(CLAIM_DROPPED)
    )
    # No claim-and-drop storm: at most what the worker held when it froze came back, its
    # two slots and a buffer of a quarter of a second of these 20 ms tasks per slot.
    assert given_back <= 2 + int(2 * HELD_WORK_PER_SLOT / 0.02)


def test_a_claim_handed_to_a_frozen_slot_costs_no_attempt_and_never_runs_late(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    """The slot is frozen before it reads its task, then the whole worker past three leases.

    The supervisor handed the task over, but its code never began: the start must not be
    stamped (the rescue gives the claim back free), and the thawed slot must not begin an
    attempt whose lease lapsed while it was frozen (the retry may be running by then).
    """
    first = start_worker("--concurrency", "1")
    warm = submit("traced", str(log_file), 0, "warm")
    wait_until(lambda: status(services, warm) is TaskStatus.SUCCEEDED, what="a first task")
    [slot] = slot_pids(log_file)
    os.kill(slot, signal.SIGSTOP)
    task = submit("traced", str(log_file), 0.5, "late")
    wait_until(lambda: status(services, task) is TaskStatus.RUNNING, what="the claim")
    # Long enough for the writer's rounds and a heartbeat: nothing of the task has begun.
    time.sleep(HEARTBEAT + 0.5)
    assert "late" not in executions(log_file)
    pause_whole_worker(first, start_worker)

    wait_until(
        lambda: status(services, task) is TaskStatus.SUCCEEDED,
        timeout=60,
        what="the task to succeed on the resumed worker",
    )
    [run] = executions(log_file)["late"]
    assert run.ended
    assert services.tasks.status(task.id).attempt == 1


def pause_whole_worker(worker: WorkerProcess, start_worker: Callable[..., WorkerProcess]) -> None:
    """SIGSTOP the worker's whole group for three leases, while a second worker, serving
    another queue so that it only rescues, takes its lost claims back; then SIGCONT."""
    worker.signal_group(signal.SIGSTOP)
    stopped_at = time.monotonic()
    start_worker("--queues", ELSEWHERE)
    time.sleep(max(0.0, 3 * LEASE_SECONDS - (time.monotonic() - stopped_at)))
    worker.signal_group(signal.SIGCONT)
