"""W4 pages: dashboard pages with a big task table (loaded in bulk), timed in-process.

A page that does not exist yet answers 404; its status is recorded and the run goes on.
"""

from __future__ import annotations

import time
from typing import Any

from .databases import DatabaseServer
from .loader import NAMES, QUEUES, load_history
from .processes import run_child
from .sizes import Sizes
from .workload import Figures

NAME = "W4"
TITLE = "dashboard pages, p50/p95 per page"


def run(server: DatabaseServer, sizes: Sizes) -> Figures:
    """Load `page_rows` tasks, then time each page of bench/pages.py."""
    database = server.fresh()
    try:
        started = time.monotonic()
        loaded = load_history(database, sizes.page_rows)
        load_seconds = time.monotonic() - started
        # The loader gives task i the arguments [{"order": "order-<i>"}]: the first term
        # finds one task in the middle of the table, the second every task.
        search = f"order-{sizes.page_rows // 2}"
        values = {
            "id": str(loaded.sample_id),
            "queue": QUEUES[1],
            "text": search,
            "common": "order",
            "name": NAMES[1],
        }
        params = {
            "values": values,
            "requests": sizes.page_requests,
            "seconds": sizes.page_seconds,
        }
        pages = run_child(database, "pages", params)
    finally:
        server.drop(database)
    metrics = {}
    notes: dict[str, Any] = {"rows": loaded.count}
    notes["load_rows_per_s"] = round(loaded.count / load_seconds)
    rollup = pages.pop("rollup")
    metrics["metrics_rollup_backfill_s"] = rollup["seconds"]
    notes["metrics_rollup_rows"] = rollup["rows_written"]
    for name, page in pages.items():
        metrics[f"{name}_p50_ms"] = page["p50_ms"]
        metrics[f"{name}_p95_ms"] = page["p95_ms"]
        notes[name] = {"url": page["url"], "status": page["status"], "requests": page["requests"]}
    return Figures(metrics, notes)
