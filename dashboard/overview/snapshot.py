"""Everything the overview shows, read in one go: queues, workers, and the window's charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dashboard.charts import Chart
from dashboard.workers.health import RECENTLY_STOPPED, stale_after
from scheduler_core.bootstrap import get_queries, get_services
from scheduler_core.domain import TaskStatus
from scheduler_core.queries import (
    DeadHolders,
    Window,
    dead_holders,
    live_workers,
    queue_stats,
    worker_census,
)

from .activity_cache import window_activity
from .charts import failures_chart, throughput_chart, wait_chart
from .windows import ChartWindow

STATUSES = list(TaskStatus)
# Tasks held by gone workers listed one by one; past this the overview gives the count.
HELD_SHOWN = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueRow:
    """One queue's line in the table: counts in status order, oldest due task's age."""

    name: str
    counts: list[int]
    total: int
    oldest_ready_age: timedelta | None
    paused: bool

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(status, count) in status order: each count links to its tasks."""
        return [(status.value, n) for status, n in zip(STATUSES, self.counts, strict=True)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """The overview's data at one moment."""

    now: datetime
    queues: list[QueueRow]
    totals: list[int]
    workers: dict[str, int]
    # How long a silent worker still counts as alive (past it, "stale").
    stale_after: timedelta
    # Dead workers of the last hour and the tasks gone workers still hold.
    dead: DeadHolders
    paused: list[str]
    throughput: Chart
    failures: Chart
    wait: Chart

    @property
    def total_cells(self) -> list[tuple[str, int]]:
        """(status, count over every queue) in status order."""
        return [(status.value, n) for status, n in zip(STATUSES, self.totals, strict=True)]

    @property
    def live_workers(self) -> int:
        """Workers that still beat, so whose maintenance passes will rescue held tasks."""
        return live_workers(self.workers)


def take_snapshot(window: ChartWindow) -> Snapshot:
    """Read the queue counts, worker states and the window's activity from the database."""
    queries = get_queries()
    using = queries.database
    now = queries.clock.now()
    paused = get_services().tasks.paused_queues()
    stats = {queue.name: queue for queue in queue_stats(using, now)}
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
    ttl = stale_after()
    return Snapshot(
        now=now,
        queues=rows,
        totals=[sum(row.counts[index] for row in rows) for index in range(len(STATUSES))],
        workers=worker_census(using, now, ttl),
        stale_after=ttl,
        # The hour of the workers page's "recent" filter, so its "dead" view lists these.
        dead=dead_holders(
            using, now, stale_after=ttl, dead_since=RECENTLY_STOPPED, limit=HELD_SHOWN
        ),
        paused=sorted(paused),
        throughput=throughput_chart(buckets, window),
        failures=failures_chart(buckets, window),
        wait=wait_chart(buckets, window),
    )
