"""Everything the overview shows, read in one go: queues, workers, and the window's charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from dashboard.charts import Chart
from scheduler_core.bootstrap import get_services
from scheduler_core.domain import TaskStatus
from scheduler_core.storage.activity import Window
from scheduler_core.storage.db_clock import DatabaseClock
from scheduler_core.storage.stats import queue_stats
from scheduler_core.storage.worker_census import worker_census

from .activity_cache import window_activity
from .charts import failures_chart, throughput_chart, wait_chart
from .windows import ChartWindow

STATUSES = list(TaskStatus)


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueRow:
    """One queue's line in the table: counts in status order, oldest due task's age."""

    name: str
    counts: list[int]
    total: int
    oldest_ready_age: timedelta | None
    paused: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """The overview's data at one moment."""

    now: datetime
    queues: list[QueueRow]
    totals: list[int]
    workers: dict[str, int]
    paused: list[str]
    throughput: Chart
    failures: Chart
    wait: Chart


def take_snapshot(window: ChartWindow) -> Snapshot:
    """Read the queue counts, worker states and the window's activity from the database."""
    using: str = settings.SCHEDULER.get("DATABASE", "default")
    now = DatabaseClock(using).now()
    paused = get_services().scheduler.paused_queues()
    stats = {queue.name: queue for queue in queue_stats(using)}
    rows = []
    for name in sorted(stats.keys() | paused):
        queue = stats.get(name)
        counts = [queue.counts.get(status, 0) if queue else 0 for status in STATUSES]
        oldest = queue.oldest_due_at if queue else None
        rows.append(
            QueueRow(
                name=name,
                counts=counts,
                total=sum(counts),
                oldest_ready_age=None if oldest is None else max(now - oldest, timedelta()),
                paused=name in paused,
            )
        )
    buckets = window_activity(using, Window.ending_at(now, window.bucket, window.buckets))
    return Snapshot(
        now=now,
        queues=rows,
        totals=[sum(row.counts[index] for row in rows) for index in range(len(STATUSES))],
        workers=worker_census(using, _stale_after()),
        paused=sorted(paused),
        throughput=throughput_chart(buckets, window),
        failures=failures_chart(buckets, window),
        wait=wait_chart(buckets, window),
    )


def _stale_after() -> timedelta:
    # Workers beat every third of the lease; a worker silent for the lease and one more
    # beat is one the maintenance pass is about to declare dead (see executor/supervisor.py).
    lease = float(settings.SCHEDULER.get("LEASE_SECONDS", 60))
    return timedelta(seconds=lease * 4 / 3)
