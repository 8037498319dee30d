"""Worker faults with real processes and real signals, on both engines.

Each test runs tasks long enough for a retry to start while the old execution could still
be going, and reads the tasks' own execution log (tasks.traced) to count executions that
were alive at once and attempts charged for executions that never happened.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus, WorkerNotFound, WorkerState
from scheduler_core.domain.records import CLAIM_DROPPED, WORKER_LOST

from .conftest import LEASE_SECONDS, WorkerProcess, wait_until
from .executions import executions, overlaps
from .processes import alive, group_members, parent_of, signal_each

pytestmark = pytest.mark.slow

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


def test_a_sigkilled_supervisor_takes_its_slots_and_forkserver_down_within_a_second(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    first = start_worker("--concurrency", "2")
    task = submit("traced", str(log_file), 8, "long")
    wait_until(started(log_file), what="the task to start")
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
    stored = services.scheduler.status(task.id)
    assert [error.exception_type for error in stored.errors] == [WORKER_LOST]
    assert stored.attempt == len(executions(log_file)["long"]) == 2


def test_a_supervisor_frozen_past_its_lease_stops_its_attempt_before_the_retry_can_start(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    """SIGSTOP of the supervisor alone: its slot goes on running unless it stops itself."""
    first = start_worker("--queues", f"default,{ELSEWHERE}")
    task = submit("traced", str(log_file), 8, "long")
    wait_until(started(log_file), what="the task to start")
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
    assert services.scheduler.status(task.id).attempt == 2

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
    assert services.scheduler.status(fresh.id).worker_id == comeback.id
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
    first.signal_group(signal.SIGSTOP)
    stopped_at = time.monotonic()
    # Only the rescue runs elsewhere: the second worker serves another queue.
    start_worker("--queues", ELSEWHERE)
    time.sleep(max(0.0, 3 * LEASE_SECONDS - (time.monotonic() - stopped_at)))
    first.signal_group(signal.SIGCONT)

    wait_until(
        lambda: all(status(services, task).is_terminal for task in tasks),
        timeout=120,
        what="every task to finish",
    )
    stored = [services.scheduler.status(task.id) for task in tasks]
    runs = executions(log_file)
    assert [t.id for t in stored if t.status is not TaskStatus.SUCCEEDED] == []
    assert overlaps(log_file) == []
    burnt = [t for t in stored if t.attempt > len(runs.get(t.args[2], []))]
    assert burnt == []
    given_back = sum(
        1
        for task in tasks
        for transition in services.scheduler.transitions(task.id)
        if transition.reason.startswith(CLAIM_DROPPED)
    )
    # No claim-and-drop storm: at most what the worker held when it froze came back.
    assert given_back <= 2 + 2 * 8


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
        stored = services.scheduler.status(task.id)
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
    worker = start_worker()
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
