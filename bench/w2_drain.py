"""W2 drain: queued no-op tasks run by 1 and by 2 worker processes (default pool settings).

The tasks wait in a paused queue while the workers start, so the clock runs from the
resume to the last success and measures the scheduler, not Python's start-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from . import cpu_split
from .databases import BenchDatabase, DatabaseServer
from .loader import load_ready_noops
from .processes import wait_for, workers
from .sizes import Sizes
from .workload import Figures

NAME = "W2"
TITLE = "drain queued no-op tasks, 1 and 2 workers; 1 worker with 1 KB of arguments"
# The arguments' size of the third drain: what a task carries should cost little on the
# way through the scheduler (docs/performance.md, round 15).
PAYLOAD_BYTES = 1024


def run(server: DatabaseServer, sizes: Sizes) -> Figures:
    """Drain `drain_tasks` tasks with one worker process, then with two."""
    metrics = {}
    for count, payload_bytes, name in (
        (1, 0, "workers_1"),
        (2, 0, "workers_2"),
        (1, PAYLOAD_BYTES, "workers_1_args_1kb"),
    ):
        cpu: dict[str, float] = {}
        metrics[f"{name}_tasks_per_s"] = drain(
            server, sizes.drain_tasks, count, cpu=cpu, payload_bytes=payload_bytes
        )
        for part, us in cpu.items():
            metrics[f"{name}_cpu_us_per_task_{part}"] = us
    return Figures(metrics, {"tasks": sizes.drain_tasks, "payload_bytes": PAYLOAD_BYTES})


def drain(
    server: DatabaseServer,
    tasks: int,
    processes: int,
    prepare: Callable[[BenchDatabase], None] | None = None,
    cpu: dict[str, float] | None = None,
    payload_bytes: int = 0,
) -> float:
    """Tasks per second `processes` workers reach on `tasks` queued no-ops.

    `prepare` may set the database up further before the workers start (W8 adds a rate).
    `cpu`, when given, receives the drain's CPU per task in µs, split by process
    (`cpu_split.per_task_us`), where the system lets the bench read it. With
    `payload_bytes`, each task carries an argument of that size (loader.load_ready_noops).
    """
    database = server.fresh()
    try:
        database.pause()
        if prepare is not None:
            prepare(database)
        load_ready_noops(database, tasks, payload_bytes)
        with workers(database, processes) as pool:
            pids = [process.pid for process in pool.processes]
            probe = cpu if cpu_split.available() else None
            before = cpu_split.sample(pids, database.backend_pids()) if probe is not None else None
            started = time.monotonic()
            database.resume()
            finished = wait_for(database, pool, "succeeded", tasks, timeout=600)
            if probe is not None and before is not None:
                after = cpu_split.sample(pids, database.backend_pids())
                probe.update(cpu_split.per_task_us(before, after, tasks))
        return tasks / (finished - started)
    finally:
        server.drop(database)
