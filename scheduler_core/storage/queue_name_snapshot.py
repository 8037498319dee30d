"""Which queues have a row in a settings table, read at most once a second per process.

A claim of queues with no concurrency limit and no rate should run no statement for them:
the claim is the hottest path, and almost every queue has neither. So the claim asks a
snapshot of the names, re-read when it is a second old, or at once after this process
changed the table (forget). Each caller says what a stale snapshot may cost and how it
guards against it (claim_limits.py, claim_rates.py).
"""

from __future__ import annotations

import threading
import time

from django.db import connections

SNAPSHOT_TTL = 1.0


class QueueNameSnapshot:
    """The `queue` column of one table, per database alias, at most SNAPSHOT_TTL old."""

    def __init__(self, table: str) -> None:
        self._sql = f"SELECT queue FROM {table}"
        self._lock = threading.Lock()
        # Per alias: (monotonic time the snapshot goes stale, the names).
        self._names: dict[str, tuple[float, frozenset[str]]] = {}

    def names(self, using: str) -> frozenset[str]:
        """The queue names in the table, as read at most SNAPSHOT_TTL seconds ago."""
        now = time.monotonic()
        with self._lock:
            cached = self._names.get(using)
        if cached is not None and cached[0] > now:
            return cached[1]
        with connections[using].cursor() as cursor:
            cursor.execute(self._sql)
            names = frozenset(row[0] for row in cursor.fetchall())
        with self._lock:
            self._names[using] = (now + SNAPSHOT_TTL, names)
        return names

    def forget(self, using: str) -> None:
        """Read the names afresh next time (this process changed the table)."""
        with self._lock:
            self._names.pop(using, None)
