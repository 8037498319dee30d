"""Run-time and queue-wait histograms of recently finished tasks, for /metrics."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from prometheus_client.core import GaugeHistogramMetricFamily

from scheduler_core.queries import recent_timings

# Finished tasks of the last hour, at most this many (the newest): a snapshot of recent
# behaviour that bounds the work of a scrape, hence gauge histograms, not cumulative ones.
WINDOW = timedelta(hours=1)
MAX_TASKS = 10_000
BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)


def timing_histograms(using: str, now: datetime) -> Iterator[GaugeHistogramMetricFamily]:
    """scheduler_task_run_seconds and scheduler_task_queue_wait_seconds over the window."""
    timings = recent_timings(using, now, WINDOW, MAX_TASKS)
    yield gauge_histogram(
        "scheduler_task_run_seconds",
        "Run time of the last attempt of tasks finished in the last hour",
        [run for run, _ in timings],
    )
    yield gauge_histogram(
        "scheduler_task_queue_wait_seconds",
        "From due to start of the last attempt of tasks finished in the last hour",
        [wait for _, wait in timings],
    )


def gauge_histogram(
    name: str, documentation: str, values: Sequence[float]
) -> GaugeHistogramMetricFamily:
    """A gauge histogram of `values` over BUCKETS (each bucket counts values <= its bound)."""
    counts = [0] * (len(BUCKETS) + 1)
    for value in values:
        counts[bisect_left(BUCKETS, value)] += 1
    cumulative, buckets = 0, []
    for bound, count in zip((*(str(b) for b in BUCKETS), "+Inf"), counts, strict=True):
        cumulative += count
        buckets.append((bound, float(cumulative)))
    return GaugeHistogramMetricFamily(name, documentation, buckets=buckets, gsum_value=sum(values))
