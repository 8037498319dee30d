"""W8 start-up: from starting `manage.py runworkers` to its first task done.

One due no-op task waits; the clock runs from the moment the command is started (as a
shell would start it: a fresh interpreter, Django set up, the slots' forkserver, the
registration, the first claim) to the task's `finished_at`. Everything before the task's
body is start-up; the body of a no-op and the write of its outcome take a few ms.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from statistics import median
from typing import Any

from .databases import ROOT, BenchDatabase, DatabaseServer
from .loader import load_ready_noops
from .processes import BenchFailed
from .sizes import Sizes
from .workload import Figures

NAME = "W8"
TITLE = "start-up: runworkers started to its first task done"
POLL = 0.01
TIMEOUT = 60.0


def run(server: DatabaseServer, sizes: Sizes) -> Figures:
    """Start a worker `startup_samples` times, each on a fresh database with one task."""
    samples: list[float] = []
    for _ in range(sizes.startup_samples):
        database = server.fresh()
        try:
            load_ready_noops(database, 1)
            samples.append(first_task_after_start(database))
        finally:
            server.drop(database)
    metrics = {
        "first_task_s": round(median(samples), 3),
        "first_task_min_s": round(min(samples), 3),
        "first_task_max_s": round(max(samples), 3),
    }
    return Figures(metrics, {"samples": len(samples)})


def first_task_after_start(database: BenchDatabase) -> float:
    """Seconds from starting a worker to the end of the one waiting task."""
    started = time.time()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "runworkers"],
        cwd=ROOT,
        env=database.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        finished = _wait_finished(database, worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return finished.timestamp() - started


def _wait_finished(database: BenchDatabase, worker: subprocess.Popen[bytes]) -> datetime:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        rows = database.query(
            "SELECT finished_at FROM scheduler_task WHERE status = 'succeeded' LIMIT 1"
        )
        if rows:
            return _moment(rows[0][0])
        if worker.poll() is not None:
            raise BenchFailed(f"the worker exited ({worker.returncode}) before its first task")
        time.sleep(POLL)
    raise BenchFailed(f"no task done within {TIMEOUT}s of starting a worker")


def _moment(value: Any) -> datetime:
    # PostgreSQL returns an aware datetime; SQLite the UTC text Django stores.
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
