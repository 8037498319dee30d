"""The overview's three charts, built from the activity buckets of one window."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.utils import timezone

from dashboard.charts import Chart, Point
from scheduler_core.queries import Bucket

from .windows import ChartWindow


def throughput_chart(buckets: Sequence[Bucket], window: ChartWindow) -> Chart:
    """Tasks that succeeded, per bucket."""
    return _count_chart(
        buckets,
        window,
        title="Throughput",
        series="throughput",
        noun="succeeded",
        count=lambda bucket: bucket.succeeded,
    )


def failures_chart(buckets: Sequence[Bucket], window: ChartWindow) -> Chart:
    """Attempts that failed (and will be retried, or not), per bucket."""
    return _count_chart(
        buckets,
        window,
        title="Failed attempts",
        series="failures",
        noun="failed attempt",
        plural="failed attempts",
        count=lambda bucket: bucket.failed,
    )


def wait_chart(buckets: Sequence[Bucket], window: ChartWindow) -> Chart:
    """The average wait from due to start of the tasks that started in each bucket."""
    points = [
        Point(
            label=_clock(bucket.start),
            value=bucket.wait_avg,
            tooltip=(
                f"{_clock(bucket.start)}: no task started"
                if bucket.wait_avg is None
                else f"{_clock(bucket.start)}: average wait {_seconds(bucket.wait_avg)}, "
                f"longest {_seconds(bucket.wait_max or 0.0)}, {bucket.started} tasks"
            ),
        )
        for bucket in buckets
    ]
    waits = [bucket for bucket in buckets if bucket.wait_avg is not None]
    if waits:
        started = sum(bucket.started for bucket in waits)
        mean = sum((bucket.wait_avg or 0.0) * bucket.started for bucket in waits) / started
        longest = max(bucket.wait_max or 0.0 for bucket in waits)
        summary = (
            f"{started} attempts claimed in the {window.title} (a retried task counts once "
            f"per attempt); they waited {_seconds(mean)} on average from due to claim, "
            f"{_seconds(longest)} at most"
        )
    else:
        summary = f"No attempt claimed in the {window.title}"
    return Chart(title="Queue wait", series="wait", points=points, unit="s", summary=summary)


def _count_chart(
    buckets: Sequence[Bucket],
    window: ChartWindow,
    *,
    title: str,
    series: str,
    noun: str,
    count: Callable[[Bucket], int],
    plural: str | None = None,
) -> Chart:
    def words(n: int) -> str:
        return f"{n} {noun if n == 1 or plural is None else plural}"

    points = [
        Point(
            label=_clock(bucket.start),
            value=float(count(bucket)),
            tooltip=f"{_clock(bucket.start)}: {words(count(bucket))}",
        )
        for bucket in buckets
    ]
    total = sum(count(bucket) for bucket in buckets)
    if total:
        busiest = max(buckets, key=count)
        summary = (
            f"{words(total)} in the {window.title}; most in the {window.bucket_name} "
            f"from {_clock(busiest.start)}: {count(busiest)}"
        )
    else:
        summary = f"{words(0)} in the {window.title}"
    return Chart(title=title, series=series, points=points, summary=summary)


def _clock(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 100 else f"{value:.0f} s"
