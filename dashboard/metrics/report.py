"""A metrics page's figures: the window's stretches summed into chart buckets, a total for
the window, and breakdowns by task name and by queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from dashboard.spans import Span
from scheduler_core.domain.task_metrics import TaskMetrics, stretch_start
from scheduler_core.queries import Queries, Scope, window_stretches

# Chart bucket width per window, in seconds: 60 minutes, 96 quarter hours, 168 hours, 120
# six-hour stretches. Each is a multiple of the widest rollup row the window can hold.
BUCKET_SECONDS = {"1h": 60, "24h": 900, "7d": 3600, "30d": 6 * 3600}


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartBucket:
    """One bucket of the charts: when it starts and what happened in it."""

    start: datetime
    metrics: TaskMetrics


@dataclass(frozen=True, slots=True, kw_only=True)
class Part:
    """One task name or one queue over the window."""

    key: str
    metrics: TaskMetrics


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricsReport:
    """Everything a metrics page shows for one scope and window."""

    since: datetime
    now: datetime
    bucket_seconds: int
    buckets: list[ChartBucket]
    total: TaskMetrics
    by_name: list[Part]
    by_queue: list[Part]
    # Where the rollup's stored counts end (None: it never ran); when `gap`, the rollup is
    # more than the hour the page counts on read behind, and the time between is missing.
    rolled_until: datetime | None
    gap: bool


def build_report(queries: Queries, scope: Scope, span: Span) -> MetricsReport:
    """The figures of `scope` over `span`, in buckets that start on whole multiples of their
    width, the last one holding the database's current time."""
    width = BUCKET_SECONDS[span.key]
    count = int(span.length.total_seconds()) // width
    now = int(queries.clock.now().timestamp())
    first = stretch_start(now, width) - (count - 1) * width
    read = window_stretches(queries.database, first, now, scope)
    per_bucket = [TaskMetrics() for _ in range(count)]
    # Each row is added twice (its bucket, its queue and name); the totals, names and
    # queues are then sums of those few sums, not of every row again.
    pairs: dict[tuple[str, str], TaskMetrics] = {}
    for start, queue, name, metrics in read.stretches:
        index = (start - first) // width
        if not 0 <= index < count:
            continue
        per_bucket[index].add(metrics)
        pair = pairs.get((queue, name))
        if pair is None:
            pair = pairs[(queue, name)] = TaskMetrics()
        pair.add(metrics)
    total = TaskMetrics()
    names: dict[str, TaskMetrics] = {}
    queues: dict[str, TaskMetrics] = {}
    for (queue, name), metrics in pairs.items():
        total.add(metrics)
        names.setdefault(name, TaskMetrics()).add(metrics)
        queues.setdefault(queue, TaskMetrics()).add(metrics)
    return MetricsReport(
        since=_at(first),
        now=_at(now),
        bucket_seconds=width,
        buckets=[
            ChartBucket(start=_at(first + index * width), metrics=metrics)
            for index, metrics in enumerate(per_bucket)
        ],
        total=total,
        by_name=_ordered(names),
        by_queue=_ordered(queues),
        rolled_until=None if read.rolled_until is None else _at(read.rolled_until),
        gap=read.tail_from > max(first, read.rolled_until or first),
    )


def _ordered(parts: dict[str, TaskMetrics]) -> list[Part]:
    """Busiest first (tasks finished, then failed attempts), ties by key: a total order."""
    ordered = sorted(
        parts.items(), key=lambda item: (-item[1].finished, -item[1].failed_attempts, item[0])
    )
    return [Part(key=key, metrics=metrics) for key, metrics in ordered]


def _at(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, tz=UTC)
