"""W1 enqueue: tasks submitted one service call each (as a view does), then in bulk."""

from __future__ import annotations

from .databases import DatabaseServer
from .processes import run_child
from .sizes import Sizes
from .workload import Figures

NAME = "W1"
TITLE = "enqueue (one call each; submit_many in 1000s)"


def run(server: DatabaseServer, sizes: Sizes) -> Figures:
    """Submit `enqueue_tasks` tasks one by one, then as many through submit_many."""
    database = server.fresh()
    try:
        metrics = run_child(database, "enqueue", {"tasks": sizes.enqueue_tasks})
        stored = database.count("ready")
    finally:
        server.drop(database)
    if stored != 2 * sizes.enqueue_tasks:
        raise AssertionError(f"{stored} tasks stored, {2 * sizes.enqueue_tasks} submitted")
    return Figures(metrics, {"tasks": sizes.enqueue_tasks})
