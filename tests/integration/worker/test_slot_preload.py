"""Slots fork from a server that has Django set up, wherever `runworkers` is started from.

The forkserver is a fresh `python -c` process: its sys.path holds its working directory and
PYTHONPATH, not the directory of manage.py. multiprocessing hands it the supervisor's
sys.path, but Python (3.12, 3.13) does not apply it before importing the preload module,
and swallows the ImportError. Started from another directory (a process manager, the peer
harness), the server preloaded nothing and every slot set Django up on its own after its
fork: 0.6 s of CPU per slot, four of them per worker, at every start.

Measured by what the slots cost, not by a log line: their CPU time once the worker runs.
The slots then get the worker's own PYTHONPATH back, which a task can see.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.executor.child import SERVER_NAME
from scheduler_core.models import WorkerRecord
from tests.integration.storage.test_claim_processes import database_url

from .conftest import ROOT, TASKS_MODULE, wait_until

pytestmark = pytest.mark.slow
SLOTS = 4
# A slot forked from a prepared server costs a few ms of CPU; one that sets Django up
# itself costs 0.5 to 0.9 s.
MOST_SLOT_CPU_S = 0.25
# The server forked from the set-up supervisor imports at most the task modules; one spawned
# as multiprocessing does it set Django up a second time, 0.45 to 0.9 s.
MOST_SERVER_CPU_S = 0.25


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime: fields 14 and 15 of stat, 12 and 13 after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_of(supervisor: int) -> int | None:
    """The slots' server: the supervisor's child named so (its command line is the
    supervisor's own, as it is forked from it)."""
    for child in children(supervisor):
        if Path(f"/proc/{child}/comm").read_text().strip() == SERVER_NAME:
            return child
    return None


def slots_of(supervisor: int) -> list[int]:
    server = server_of(supervisor)
    return [] if server is None else children(server)


@pytest.fixture
def far_worker(alias: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A running worker started from a temporary directory, without PYTHONPATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "COVERAGE_PROCESS_START")
    }
    env |= {
        "DATABASE_URL": database_url(alias),
        "SCHEDULER_TASK_MODULES": TASKS_MODULE,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
    }
    connections.close_all()
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "runworkers",
            "--worker-id",
            "far",
            "--concurrency",
            str(SLOTS),
        ],
        cwd=tmp_path,  # not the project: as a process manager may start it
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until(
            lambda: WorkerRecord.objects.using(alias).filter(id="far", state="running").exists(),
            60,
            "the worker to run",
        )
        wait_until(lambda: len(slots_of(worker.pid)) == SLOTS, 30, "its slots")
        yield worker
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        log.close()


def test_slots_started_from_another_directory_fork_with_django_set_up(
    far_worker: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    time.sleep(1.0)  # a slot setting Django up would be at it by now
    costs = [cpu_seconds(slot) for slot in slots_of(far_worker.pid)]
    assert max(costs) <= MOST_SLOT_CPU_S, (costs, (tmp_path / "worker.log").read_text()[-2000:])


def test_the_slots_server_is_forked_from_the_supervisor_and_sets_nothing_up_again(
    far_worker: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    server = server_of(far_worker.pid)
    assert server is not None
    assert (
        Path(f"/proc/{server}/cmdline").read_bytes()
        == Path(f"/proc/{far_worker.pid}/cmdline").read_bytes()
    )
    assert cpu_seconds(server) <= MOST_SERVER_CPU_S, (tmp_path / "worker.log").read_text()[-2000:]


def test_tasks_see_the_pythonpath_the_worker_was_started_with(
    far_worker: subprocess.Popen[bytes], services: Services, submit: Callable[..., Task]
) -> None:
    # The forkserver alone gets the supervisor's import roots on PYTHONPATH; what a task
    # starts inherits the worker's own environment, here one without PYTHONPATH.
    task = submit("python_path")
    wait_until(lambda: services.tasks.status(task.id).is_terminal(), 30, "the task")
    done = services.tasks.status(task.id)
    assert (done.status, done.result) == (TaskStatus.SUCCEEDED, None)
