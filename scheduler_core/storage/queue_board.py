"""Read-only numbers for the dashboard's queue page, a few grouped queries per page view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min

from scheduler_core.models import TaskRecord
from scheduler_core.models.choices import waiting

from .db_clock import DatabaseClock
from .stats import queue_stats

RECENT_FAILURES = timedelta(hours=1)


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


def queue_board(using: str) -> QueueBoard:
    """Count each queue's tasks: due, scheduled, retrying, running, failed in the last hour."""
    now = DatabaseClock(using).now()
    tasks = TaskRecord.objects.using(using)
    # Due waiting rows, read through the claim's partial index of waiting rows.
    due: dict[str, tuple[int, datetime | None]] = {
        queue: (n, oldest)
        for queue, n, oldest in tasks.filter(waiting(), run_after__lte=now)
        .values("queue")
        .annotate(n=Count("id"), oldest=Min("run_after"))
        .order_by()
        .values_list("queue", "n", "oldest")
    }
    # Only the last hour of finished rows, through the partial index on finished_at.
    failed = dict(
        tasks.filter(finished_at__gte=now - RECENT_FAILURES, status="failed")
        .values("queue")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("queue", "n")
    )
    queues: dict[str, QueueNumbers] = {}
    for stats in queue_stats(using):
        counts = {status.value: n for status, n in stats.counts.items()}
        due_now, oldest = due.get(stats.name, (0, None))
        queues[stats.name] = QueueNumbers(
            name=stats.name,
            due=due_now,
            scheduled=counts["scheduled"],
            retrying=counts["retrying"],
            running=counts["running"],
            failed_recently=failed.get(stats.name, 0),
            oldest_due_at=oldest,
        )
    return QueueBoard(now=now, queues=queues)
