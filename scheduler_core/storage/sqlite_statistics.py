"""SQLite's planner statistics, gathered by the maintenance pass as the task table grows.

SQLite keeps no statistics unless ANALYZE runs, and nothing else runs it. Without them its
planner guesses, and the guesses that cost most grew with the table: the dashboard's page
of one error group took 254 ms at 100,000 tasks against 26 ms with statistics (W4, round 7
of docs/performance.md). The hot statements name their plans (claim.py, promotion.py,
sqlite_plans.py) and do not depend on this; the pages and the rare statements do.

ANALYZE runs under an analysis limit, so that it reads a sample of each index, not all of
it (milliseconds at a million rows). A sample's row counts are estimates, so whether the
statistics are stale cannot be read back from them: each worker process remembers the
table's size at its own last ANALYZE, and runs it again once the table has doubled or
halved since. So a worker starting on a big table gathers them once, and then again a
few times in the database's life. PostgreSQL's autovacuum does all this on its own.
"""

from __future__ import annotations

import logging

from django.db import connections

from scheduler_core.domain.ports import PlannerStatistics

from .counters.reads import queue_counts
from .sqlite_locks import retry_when_locked

logger = logging.getLogger(__name__)

# Below this many tasks any plan is quick, and statistics of a small table mislead the
# planner once it grows.
MIN_TASKS = 10_000
# Rows ANALYZE reads of each index (SQLite's PRAGMA analysis_limit).
ANALYSIS_LIMIT = 1_000
# Statistics are stale once the table holds this many times more (or fewer) rows.
DRIFT = 2.0


class SQLitePlannerStatistics(PlannerStatistics):
    """ANALYZE on SQLite when the task table outgrows its statistics; nothing elsewhere."""

    def __init__(self, using: str) -> None:
        self.using = using
        # The task table's size at this process's last ANALYZE; None before the first.
        self.analyzed_at: int | None = None

    def refresh(self) -> bool:
        """Gather SQLite's statistics if stale; True if it did."""
        if connections[self.using].vendor != "sqlite":
            return False
        # The trigger-kept counters: the table's size without a scan of it.
        tasks = sum(sum(by_status.values()) for by_status in queue_counts(self.using).values())
        known = self.analyzed_at
        if tasks < MIN_TASKS or (known is not None and known / DRIFT < tasks < known * DRIFT):
            return False
        retry_when_locked(self._analyze)
        self.analyzed_at = tasks
        logger.info("gathered SQLite's planner statistics at %d tasks", tasks)
        return True

    def _analyze(self) -> None:
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            cursor.execute("ANALYZE")
