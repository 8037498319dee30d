"""W6 claims at any backlog: one claim of a batch with 1k to 1M ready tasks in 1, 3, 20 queues.

A claim must cost the same whatever waits behind it: each queue's head is read by an
ordered scan of the claim index, never the whole backlog (scheduler_core/storage/claim.py).
The figure that matters is the ratio of the p50 at the biggest backlog to the p50 at the
smallest, per queue count (target: at most 2).
"""

from __future__ import annotations

from .databases import DatabaseServer
from .loader import load_ready_spread
from .processes import run_child
from .sizes import Sizes
from .workload import Figures

NAME = "W6"
TITLE = "one claim at backlogs of 1k to 1M ready tasks"
QUEUE_COUNTS = (1, 3, 20)
BATCH = 32


def run(server: DatabaseServer, sizes: Sizes) -> Figures:
    """Load each backlog afresh and time `claim_samples` claims of BATCH tasks over it."""
    metrics: dict[str, float] = {}
    for queues in QUEUE_COUNTS:
        p50s: list[float] = []
        for rows in sizes.claim_backlogs:
            database = server.fresh()
            try:
                load_ready_spread(database, rows, queues)
                params = {"queues": queues, "claims": sizes.claim_samples, "batch": BATCH}
                figures = run_child(database, "claims", params)
            finally:
                server.drop(database)
            metrics[f"q{queues}_{rows}_p50_ms"] = round(figures["p50_ms"], 3)
            metrics[f"q{queues}_{rows}_p95_ms"] = round(figures["p95_ms"], 3)
            p50s.append(figures["p50_ms"])
        metrics[f"q{queues}_growth"] = round(p50s[-1] / p50s[0], 2)
    notes = {"batch": BATCH, "backlogs": list(sizes.claim_backlogs), "queues": QUEUE_COUNTS}
    return Figures(metrics, notes)
