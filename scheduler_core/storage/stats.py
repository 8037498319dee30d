"""Read-only aggregates of the task tables, for /metrics and the queue list.

Read from the database on each call, so every web and worker process reports the same
numbers. Counts and totals come from the tables that database triggers keep exact
(docs/counters.md), so no call counts the task table or the transition log; totals never
drop, pruning or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Min

from scheduler_core.domain import TaskStatus
from scheduler_core.models import TaskRecord
from scheduler_core.models.choices import waiting

from .counters.reads import queue_counts, task_totals
from .db_clock import DatabaseClock


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueStats:
    """One queue: tasks in each status, and since when its oldest due task waits."""

    name: str
    counts: dict[TaskStatus, int] = field(default_factory=dict)
    oldest_due_at: datetime | None = None


def queue_stats(using: str) -> list[QueueStats]:
    """Every queue that holds a task, by name, with its counts by status (zeros included)."""
    counts = queue_counts(using)
    now = DatabaseClock(using).now()
    oldest = dict(
        TaskRecord.objects.using(using)
        .filter(waiting(), run_after__lte=now)
        .values("queue")
        .annotate(oldest=Min("run_after"))
        .order_by()
        .values_list("queue", "oldest")
    )
    return [
        QueueStats(name=name, counts=counts[name], oldest_due_at=oldest.get(name))
        for name in sorted(counts)
    ]


def event_totals(using: str) -> dict[str, int]:
    """Tasks enqueued, and transitions of each kind, since the counters were installed."""
    return task_totals(using)


def recent_timings(using: str, window: timedelta, limit: int) -> list[tuple[float, float]]:
    """(run seconds, queue-wait seconds) of up to `limit` tasks finished within `window`.

    Run time is the last attempt's, from start to finish; the wait is from when that attempt
    fell due (run_after) to its start.
    """
    since = DatabaseClock(using).now() - window
    rows = (
        TaskRecord.objects.using(using)
        .filter(
            status__in=["succeeded", "failed"],
            finished_at__gte=since,
            started_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("run_after", "started_at", "finished_at")[:limit]
    )
    return [
        (
            max(0.0, (finished - started).total_seconds()),
            max(0.0, (started - due).total_seconds()),
        )
        for due, started, finished in rows
        # The query already excludes these; the check tells the type checker so.
        if started is not None and finished is not None
    ]
