"""W5 memory: one worker's resident memory (supervisor, forkserver, slots) as it runs tasks."""

from __future__ import annotations

from .databases import DatabaseServer
from .loader import load_ready_noops
from .processes import wait_for, workers
from .sizes import Sizes
from .workload import Figures

NAME = "W5"
TITLE = "worker RSS after few and after many tasks"


def run(server: DatabaseServer, sizes: Sizes) -> Figures:
    """RSS once `memory_tasks[0]` tasks ran and again once `memory_tasks[1]` had."""
    first, total = sizes.memory_tasks
    database = server.fresh()
    try:
        load_ready_noops(database, total)
        with workers(database, 1) as pool:
            wait_for(database, pool, "succeeded", first, timeout=600)
            early = pool.rss_mb()
            wait_for(database, pool, "succeeded", total, timeout=1200)
            late = pool.rss_mb()
    finally:
        server.drop(database)
    metrics = {"rss_early_mb": early, "rss_late_mb": late, "growth_mb": late - early}
    return Figures(metrics, {"early_tasks": first, "late_tasks": total})
