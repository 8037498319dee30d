"""W9 queue rate limits: how closely 3 workers keep to 10 starts/s, and what they cost others.

Accuracy: a 10/s rate on the default queue, 3 worker processes (default pool settings) and
more no-op tasks than the window can start. The bucket starts full (a burst of 10), so the
starts are counted over `rate_seconds` from one second after the first start; the figure is
the gap to rate * seconds, in percent (target: at most 10).

Cost (A/B): the W2 drain of the default queue by 2 workers, with no rate anywhere (A) and
with a rate on another queue (B), run A, B, A. A claim of unrated queues must not read the
rates, so B should drain as fast as A; the ratio B/A is reported (1.0: no loss). A drain on a shared
machine varies by 10 to 20 % from run to run, so the claim itself is timed too, A, B, A on
one backlog (as W6 times it, each claim rolled back): its p50 with and without the rate.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from .databases import BenchDatabase, DatabaseServer
from .loader import load_ready_noops, load_ready_spread
from .processes import run_child, workers
from .sizes import Sizes
from .w2_drain import drain
from .workload import Figures

NAME = "W9"
TITLE = "queue rate limit: 10/s over 3 workers; unlimited drain beside a rate (A/B)"
RATE = 10
WORKERS = 3


def run(server: DatabaseServer, sizes: Sizes) -> Figures:
    """The rate's accuracy over `rate_seconds`, then the A/B drain of `drain_tasks`."""
    measured = rate_accuracy(server, sizes.rate_seconds)
    expected = RATE * sizes.rate_seconds
    # A, B, A: a machine that slows down (or warms up) over the run weighs on both sides,
    # and the two A runs show how far one drain is from the next with nothing changed.
    before = drain(server, sizes.drain_tasks, 2)
    beside = drain(server, sizes.drain_tasks, 2, prepare=lambda db: set_rate(db, "elsewhere"))
    after = drain(server, sizes.drain_tasks, 2)
    unrated = (before + after) / 2
    claim_unrated, claim_beside = claim_ab(server, sizes.claim_samples * 4)
    metrics = {
        "claim_no_rate_p50_ms": claim_unrated,
        "claim_beside_rate_p50_ms": claim_beside,
        "claim_ratio": claim_beside / claim_unrated,
        "rate_starts_per_s": measured / sizes.rate_seconds,
        "rate_error_pct": 100 * abs(measured - expected) / expected,
        "drain_no_rate_tasks_per_s": unrated,
        "drain_beside_rate_tasks_per_s": beside,
        "drain_ratio": beside / unrated,
        # The same drain twice with nothing changed: the noise the ratio above lives in.
        "drain_a_to_a_ratio": after / before,
    }
    notes = {"rate": f"{RATE}/s", "workers": WORKERS, "seconds": sizes.rate_seconds}
    return Figures(metrics, notes)


def claim_ab(server: DatabaseServer, claims: int) -> tuple[float, float]:
    """p50 of one claim of 32 over 3 unrated queues, without a rate (A) and beside one (B)."""
    database = server.fresh()
    try:
        load_ready_spread(database, 10_000, 3)
        params = {"queues": 3, "claims": claims, "batch": 32}
        first = run_child(database, "claims", params)["p50_ms"]
        set_rate(database, "elsewhere")
        beside: float = run_child(database, "claims", params)["p50_ms"]
        database.query("DELETE FROM scheduler_queue_rate")
        second = run_child(database, "claims", params)["p50_ms"]
        return (first + second) / 2, beside
    finally:
        server.drop(database)


def set_rate(database: BenchDatabase, queue: str, rate: int = RATE) -> None:
    """A rate of `rate` starts per second on `queue`, its bucket full (as the service sets it)."""
    now = datetime.now(UTC).isoformat(" ")
    database.query(
        "INSERT INTO scheduler_queue_rate"
        " (queue, max_starts, per, partition_by, tokens, refilled_at, updated_at)"
        " VALUES (%s, %s, 'second', '', %s, %s, %s)",
        [queue, rate, rate, now, now],
    )


def rate_accuracy(server: DatabaseServer, seconds: int) -> int:
    """Starts of the rated queue in `seconds`, from one second after its first start."""
    database = server.fresh()
    try:
        database.pause()
        load_ready_noops(database, RATE * (seconds + 5))
        set_rate(database, "default")
        with workers(database, WORKERS) as pool:
            database.resume()
            time.sleep(seconds + 2)
            pool.check_alive()
            rows = database.query(
                "SELECT started_at FROM scheduler_task WHERE started_at IS NOT NULL"
            )
        starts = sorted(_moment(row[0]) for row in rows)
        window_start = starts[0] + timedelta(seconds=1)
        window_end = window_start + timedelta(seconds=seconds)
        return sum(1 for start in starts if window_start <= start < window_end)
    finally:
        server.drop(database)


def _moment(value: datetime | str) -> datetime:
    """A timestamp as either engine's driver returns it (SQLite: text)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
