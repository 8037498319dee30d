"""Sizing the worker process's PostgreSQL connection pool to the threads that hold one.

Django keeps one connection per thread, and with `OPTIONS["pool"]` it borrows them from a
psycopg pool of four by default. A worker's supervisor has more threads than that which
each keep a connection (the main loop, the fetcher, the heartbeat, the maintenance, the
outcome writer and the control thread, plus the slots of a thread pool, whose task code may
query): the fifth would wait for a connection that is never returned.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

from .config import WorkerConfig

# Supervisor threads that each keep a connection: main loop, fetcher, heartbeat,
# maintenance, outcome writer, control. (The LISTEN connections of the fetcher and of the
# control thread are their own, not pooled.)
SUPERVISOR_THREADS = 6
# psycopg_pool's own default size.
POOL_DEFAULT_SIZE = 4


def connections_needed(config: WorkerConfig) -> int:
    """How many pooled connections a worker with this configuration may hold at once."""
    return SUPERVISOR_THREADS + (config.concurrency if config.pool == "thread" else 0)


def fit_connection_pool(alias: str, needed: int) -> None:
    """Let the pool of database `alias` grow to `needed` connections (never shrink it).

    Only the pool's upper bound moves: connections beyond its minimum are opened when a
    thread first asks. A pool already made with a smaller bound is closed (it holds only
    idle connections before the supervisor starts) and made again on the next use.
    """
    # Any: the PostgreSQL wrapper's pool API (close_pool, _connection_pools) is not in the stubs.
    wrapper: Any = connections[alias]
    options: dict[str, Any] = wrapper.settings_dict.setdefault("OPTIONS", {})
    pool = options.get("pool")
    if wrapper.vendor != "postgresql" or not pool:
        return
    sized: dict[str, Any] = {} if pool is True else dict(pool)
    floor = sized.get("max_size") or sized.get("min_size", POOL_DEFAULT_SIZE)
    if floor >= needed:
        return
    sized["max_size"] = needed
    options["pool"] = sized
    if alias in wrapper._connection_pools:
        wrapper.close()
        wrapper.close_pool()
