"""W2 drain: queued no-op tasks run by 1 and by 2 worker processes (default pool settings).

The tasks wait in a paused queue while the workers start, so the clock runs from the
resume to the last success and measures the scheduler, not Python's start-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .databases import BenchDatabase, DatabaseServer
from .loader import load_ready_noops
from .processes import wait_for, workers
from .sizes import Sizes
from .workload import Figures

NAME = "W2"
TITLE = "drain queued no-op tasks, 1 and 2 workers"


def run(server: DatabaseServer, sizes: Sizes) -> Figures:
    """Drain `drain_tasks` tasks with one worker process, then with two."""
    metrics = {}
    for count in (1, 2):
        metrics[f"workers_{count}_tasks_per_s"] = drain(server, sizes.drain_tasks, count)
    return Figures(metrics, {"tasks": sizes.drain_tasks})


def drain(
    server: DatabaseServer,
    tasks: int,
    processes: int,
    prepare: Callable[[BenchDatabase], None] | None = None,
) -> float:
    """Tasks per second `processes` workers reach on `tasks` queued no-ops.

    `prepare` may set the database up further before the workers start (W8 adds a rate).
    """
    database = server.fresh()
    try:
        database.pause()
        if prepare is not None:
            prepare(database)
        load_ready_noops(database, tasks)
        with workers(database, processes) as pool:
            started = time.monotonic()
            database.resume()
            finished = wait_for(database, pool, "succeeded", tasks, timeout=600)
        return tasks / (finished - started)
    finally:
        server.drop(database)
