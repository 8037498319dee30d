"""Read-only aggregates of the task tables, for /metrics and the queue list.

Read from the database on each call, so every web and worker process reports the same
numbers. Counts and totals come from the tables that database triggers keep exact
(docs/counters.md), so no call counts the task table or the transition log; totals never
drop, pruning or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connections

from scheduler_core.domain import TaskStatus
from scheduler_core.models import TaskRecord
from scheduler_core.models.choices import NOT_FOR_CLAIMS_SQL, WAITING_VALUES
from scheduler_core.models.task import WAITING_INDEX
from scheduler_core.storage.counters.reads import queue_counts, task_totals

# Statuses written into the SQL, not passed as parameters: SQLite uses a partial index only
# when the query repeats its condition word for word (see docs/counters.md).
WAITING_SQL = ", ".join(f"'{value}'" for value in WAITING_VALUES)
OLDEST_WAITING_SQL = f"""
SELECT id, run_after FROM scheduler_task{{indexed}}
WHERE queue = %s AND status IN ({WAITING_SQL}) AND {NOT_FOR_CLAIMS_SQL}
ORDER BY run_after LIMIT 1
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueStats:
    """One queue: tasks in each status, and since when its oldest due task waits."""

    name: str
    counts: dict[TaskStatus, int] = field(default_factory=dict)
    oldest_due_at: datetime | None = None


def queue_stats(using: str, now: datetime) -> list[QueueStats]:
    """Every queue that holds a task, by name, with its counts by status (zeros included).

    `now` is the database's clock, read once by the page that shows these.
    """
    counts = queue_counts(using)
    waiting_now = {
        name
        for name, by_status in counts.items()
        if any(by_status[status] for status in TaskStatus if status.is_waiting)
    }
    oldest = {name: due for name in waiting_now if (due := oldest_due(using, name, now))}
    return [
        QueueStats(name=name, counts=counts[name], oldest_due_at=oldest.get(name))
        for name in sorted(counts)
    ]


def oldest_due(using: str, queue: str, now: datetime) -> datetime | None:
    """When the queue's longest-waiting due task fell due; None when none is due.

    One seek in the partial index of waiting rows by (queue, run_after): its first entry
    is the queue's smallest run_after, due or not, so no scan of a backlog.
    """
    sql = oldest_waiting_sql(connections[using].vendor)
    first = next(iter(TaskRecord.objects.using(using).raw(sql, [queue])), None)
    return first.run_after if first is not None and first.run_after <= now else None


def oldest_waiting_sql(vendor: str) -> str:
    """OLDEST_WAITING_SQL for the engine: SQLite's names its index. Without statistics its
    planner took the claim index for `priority >=` and sorted the queue's waiting rows."""
    return OLDEST_WAITING_SQL.format(
        indexed=f" INDEXED BY {WAITING_INDEX}" if vendor == "sqlite" else ""
    )


def event_totals(using: str) -> dict[str, int]:
    """Tasks enqueued, and transitions of each kind, since the counters were installed."""
    return task_totals(using)


def recent_timings(
    using: str, now: datetime, window: timedelta, limit: int
) -> list[tuple[float, float]]:
    """(run seconds, queue-wait seconds) of up to `limit` tasks finished within `window`.

    Run time is the last attempt's, from start to finish; the wait is from when that attempt
    fell due (run_after) to its start.
    """
    since = now - window
    rows = (
        TaskRecord.objects.using(using)
        .filter(
            status__in=["succeeded", "failed"],
            finished_at__gte=since,
            started_at__isnull=False,
        )
        .order_by("-finished_at", "-id")
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
