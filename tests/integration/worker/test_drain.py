"""Two worker processes sharing one queue: every task runs, and runs exactly once."""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskStatus, WorkerState
from scheduler_core.domain.ports import SubmitRequest

from .conftest import WorkerProcess, task_name, wait_until

pytestmark = pytest.mark.slow

# Enough for both workers to claim thousands of times side by side; `make chaos` goes bigger.
TASKS = {"postgres": 5_000, "sqlite": 2_000}


def test_two_workers_run_each_task_exactly_once(
    backend: str,
    services: Services,
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    count = TASKS[backend]
    keys = [f"k{n}" for n in range(count)]
    # A production-length lease: the conftest's 3 s lease, meant for fast rescue tests,
    # could run out on a loaded 2-core machine, and a rescued task legitimately runs again
    # (at-least-once); this test is about claims never overlapping while leases hold.
    workers = [start_worker("--concurrency", "4", "--lease", "60") for _ in range(2)]
    # Both must be claiming before the backlog appears: a worker that starts a second
    # sooner can drain 2,000 SQLite tasks alone, and then nothing ran side by side.
    wait_until(
        lambda: (
            {"w1", "w2"}
            <= {w.id for w in services.workers.list_workers() if w.state is WorkerState.RUNNING}
        ),
        timeout=60,
        what="both workers to register",
    )
    began = time.monotonic()
    for start in range(0, count, 1000):
        services.tasks.submit_many(
            [
                SubmitRequest(name=task_name("record"), args=[str(log_file), key])
                for key in keys[start : start + 1000]
            ]
        )

    wait_until(
        lambda: services.tasks.counts()[TaskStatus.SUCCEEDED] == count,
        timeout=300,
        what=f"{count} tasks to succeed",
    )
    elapsed = time.monotonic() - began
    for worker in workers:
        worker.signal(signal.SIGTERM)
    assert all(worker.wait(timeout=60) == 0 for worker in workers)

    runs = Counter(line.split()[0] for line in log_file.read_text().splitlines())
    pids = {line.split()[1] for line in log_file.read_text().splitlines()}
    with capsys.disabled():
        print(
            f"\n[{backend}] 2 workers x 4 slots drained {count} tasks in {elapsed:.1f}s "
            f"({count / elapsed:.0f}/s, from the first submit) across {len(pids)} slot processes"
        )
    twice = sorted(key for key, times in runs.items() if times > 1)
    lost = [line for w in workers for line in w.output().splitlines() if "lease" in line]
    assert set(runs) == set(keys), "some tasks never ran"
    assert not twice, f"{len(twice)} tasks ran twice, e.g. {twice[:5]}; lease log: {lost[:10]}"
    assert len(pids) > 4, "both workers should have taken part"
