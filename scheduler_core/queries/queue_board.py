"""Read-only numbers for the dashboard's queue page, a few small queries per page view.

Counts come from the trigger-kept counters and the per-minute rollup (docs/counters.md);
the only reads of the task table go through partial indexes of waiting rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections

from scheduler_core.domain import TaskStatus
from scheduler_core.storage.counters.reads import failed_since

from .stats import queue_stats

RECENT_FAILURES = timedelta(hours=1)
# The statuses as literals: SQLite uses the partial index of delayed rows only when the
# query repeats its condition word for word, which a bound parameter does not.
LATE_SQL = """
SELECT queue, COUNT(*) FROM scheduler_task
WHERE status IN ('scheduled', 'retrying') AND run_after <= %s
GROUP BY queue
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueNumbers:
    """One queue's load: tasks due now, waiting for later, running, failing, and its lag."""

    name: str
    due: int = 0
    scheduled: int = 0
    retrying: int = 0
    running: int = 0
    failed_recently: int = 0
    oldest_due_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueBoard:
    """Every queue holding a task, by name, and the database time they were counted at."""

    now: datetime
    queues: dict[str, QueueNumbers]


def queue_board(using: str, now: datetime) -> QueueBoard:
    """Count each queue's tasks: due, scheduled, retrying, running, failed in the last hour.

    `now` is the database's clock, read once by the page.
    """
    # Ready tasks are due by definition; delayed ones whose time has come but that the
    # promoter has not moved yet are few, found through the partial index of delayed rows.
    with connections[using].cursor() as cursor:
        cursor.execute(LATE_SQL, [connections[using].ops.adapt_datetimefield_value(now)])
        late: dict[str, int] = dict(cursor.fetchall())
    # Whole minutes: the rollup counts per minute, so the hour starts on a minute boundary.
    hour_ago = int((now - RECENT_FAILURES).timestamp()) // 60 * 60
    failed = failed_since(using, hour_ago)
    queues: dict[str, QueueNumbers] = {}
    for stats in queue_stats(using, now):
        counts = stats.counts
        queues[stats.name] = QueueNumbers(
            name=stats.name,
            due=counts[TaskStatus.READY] + late.get(stats.name, 0),
            scheduled=counts[TaskStatus.SCHEDULED],
            retrying=counts[TaskStatus.RETRYING],
            running=counts[TaskStatus.RUNNING],
            failed_recently=failed.get(stats.name, 0),
            oldest_due_at=stats.oldest_due_at,
        )
    return QueueBoard(now=now, queues=queues)
