"""W3 latency: idle workers, tasks submitted one at a time; enqueue-to-start percentiles."""

from __future__ import annotations

import time

from .databases import DatabaseServer
from .processes import run_child, workers
from .sizes import Sizes
from .workload import Figures

NAME = "W3"
TITLE = "enqueue-to-start latency, idle worker"
# Long enough for the worker's slots to start and its fetcher to go idle.
SETTLE = 1.0


def run(server: DatabaseServer, sizes: Sizes) -> Figures:
    """Submit `latency_tasks` tasks `latency_gap` s apart to one idle worker."""
    database = server.fresh()
    try:
        with workers(database, 1):
            time.sleep(SETTLE)
            params = {"tasks": sizes.latency_tasks, "gap": sizes.latency_gap}
            metrics = run_child(database, "submit_spaced", params)
    finally:
        server.drop(database)
    rate = round(1 / sizes.latency_gap)
    return Figures(metrics, {"tasks": sizes.latency_tasks, "tasks_per_s": rate})
