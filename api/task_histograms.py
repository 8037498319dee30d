"""Per task name and queue figures of the last hour for /metrics, read from the metrics
rollup (docs/metrics.md): run-time and queue-wait histograms, tasks finished and failed
attempts. Gauges over a sliding hour, like the unlabelled histograms in histograms.py; the
buckets are the rollup's own bounds at 1-2.5-5 steps, so the counts are exact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily, Metric

from scheduler_core.domain import duration_histogram as hist
from scheduler_core.domain.task_metrics import MINUTE, TaskMetrics, stretch_start
from scheduler_core.queries import Queries, Scope, window_stretches

WINDOW = timedelta(hours=1)
LABELS = ["queue", "name"]


def per_task_metrics(queries: Queries, at: datetime) -> Iterator[Metric]:
    """The last hour's figures of every (queue, task name) that finished or failed in it,
    up to `at` (the database's clock)."""
    now = int(at.timestamp())
    # Whole minutes, as the rollup's rows: the hour's first minute is the oldest counted.
    since = stretch_start(now, MINUTE) - int(WINDOW.total_seconds()) + MINUTE
    read = window_stretches(queries.database, since, now, Scope())
    found: dict[tuple[str, str], TaskMetrics] = {}
    for _, queue, name, metrics in read.stretches:
        found.setdefault((queue, name), TaskMetrics()).add(metrics)
    run = GaugeHistogramMetricFamily(
        "scheduler_task_run_seconds_by_task",
        "Run time of the last attempt of tasks finished in the last hour, per queue and name",
        labels=LABELS,
    )
    wait = GaugeHistogramMetricFamily(
        "scheduler_task_queue_wait_seconds_by_task",
        "From due to claim of the last attempt of tasks finished in the last hour, per queue "
        "and name",
        labels=LABELS,
    )
    finished = GaugeMetricFamily(
        "scheduler_task_finished_last_hour",
        "Tasks that finished in the last hour, per queue, name and status",
        labels=[*LABELS, "status"],
    )
    failed = GaugeMetricFamily(
        "scheduler_task_failed_attempts_last_hour",
        "Attempts that failed in the last hour (retried or not), per queue and name",
        labels=LABELS,
    )
    for (queue, name), metrics in sorted(found.items()):
        labels = [queue, name]
        run.add_metric(labels, _buckets(metrics.run), metrics.run_seconds_sum)
        wait.add_metric(labels, _buckets(metrics.wait), metrics.wait_seconds_sum)
        for status, count in (
            ("succeeded", metrics.succeeded),
            ("failed", metrics.failed),
            ("cancelled", metrics.cancelled),
        ):
            finished.add_metric([*labels, status], count)
        failed.add_metric(labels, metrics.failed_attempts)
    yield run
    yield wait
    yield finished
    yield failed


def _buckets(histogram: hist.Histogram) -> list[tuple[str, float]]:
    counts = hist.cumulative_at(histogram, hist.PROMETHEUS_BOUNDS)
    buckets = [
        (str(bound), float(n)) for bound, n in zip(hist.PROMETHEUS_BOUNDS, counts, strict=True)
    ]
    buckets.append(("+Inf", float(hist.count(histogram))))
    return buckets
