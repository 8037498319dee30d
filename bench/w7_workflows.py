"""W7 workflows: what a step costs beyond a plain task, and how fast a chain moves.

Fan-in: `workflow_steps` parallel no-op steps and one step after all of them, against the
same number of plain no-op tasks, each drained by two worker processes from a paused queue
(as W2). The difference per task is the workflow's overhead per step: the edge consumed
and counted in each parent's outcome transaction. Chain: a chain of `chain_links` no-op
steps on idle workers; each link is released by its parent's outcome and then claimed.
"""

from __future__ import annotations

import time

from .databases import DatabaseServer
from .loader import load_ready_noops
from .processes import run_child, wait_for, workers
from .sizes import Sizes
from .workload import Figures

NAME = "W7"
TITLE = "workflows: fan-in overhead per step vs plain tasks; chain latency"
WORKERS = 2


def run(server: DatabaseServer, sizes: Sizes) -> Figures:
    """Drain a fan-in run and as many plain tasks; then run a chain on idle workers."""
    steps = sizes.workflow_steps
    plain = _drain(server, steps + 1, workflow=False)
    fan_in, enqueue_s = _drain_workflow(server, steps)
    chain_ms = _chain(server, sizes.chain_links)
    overhead_us = (1 / fan_in - 1 / plain) * WORKERS * 1e6
    return Figures(
        {
            "enqueue_s": enqueue_s,
            "plain_tasks_per_s": plain,
            "fan_in_steps_per_s": fan_in,
            "overhead_us_per_step": overhead_us,
            "chain_ms_per_link": chain_ms,
        },
        {"steps": steps, "chain_links": sizes.chain_links, "workers": WORKERS},
    )


def _drain(server: DatabaseServer, tasks: int, *, workflow: bool) -> float:
    database = server.fresh()
    try:
        database.pause()
        load_ready_noops(database, tasks)
        with workers(database, WORKERS) as pool:
            started = time.monotonic()
            database.resume()
            finished = wait_for(database, pool, "succeeded", tasks, timeout=600)
        return tasks / (finished - started)
    finally:
        server.drop(database)


def _drain_workflow(server: DatabaseServer, steps: int) -> tuple[float, float]:
    database = server.fresh()
    try:
        database.pause()
        figures = run_child(database, "workflow_fan_in", {"steps": steps})
        with workers(database, WORKERS) as pool:
            started = time.monotonic()
            database.resume()
            finished = wait_for(database, pool, "succeeded", steps + 1, timeout=600)
        return (steps + 1) / (finished - started), float(figures["enqueue_s"])
    finally:
        server.drop(database)


def _chain(server: DatabaseServer, links: int) -> float:
    database = server.fresh()
    try:
        with workers(database, WORKERS) as pool:
            figures = run_child(database, "workflow_chain", {"links": links})
            pool.check_alive()
        return float(figures["ms_per_link"])
    finally:
        server.drop(database)
