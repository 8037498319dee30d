"""The metrics page's four charts: tasks finished, failure rate, run time and queue wait
(the last two as p50, p95 and p99 lines)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.safestring import SafeString

from dashboard.charts import Chart, Point, bar_chart, line_chart, lines_chart
from scheduler_core.domain.task_metrics import PERCENTILES, TaskMetrics

from .report import MetricsReport


@dataclass(frozen=True, slots=True)
class DrawnChart:
    """A chart, its picture, and the lines in it (one per percentile, or just itself)."""

    chart: Chart
    svg: SafeString
    lines: list[Chart]


def metrics_charts(report: MetricsReport) -> list[DrawnChart]:
    """Throughput, failure rate, run time and queue wait over the report's buckets."""
    throughput = Chart(
        title="Tasks finished",
        series="throughput",
        points=[
            Point(
                label=_label(b.start, report),
                value=float(b.metrics.finished),
                tooltip=f"{_label(b.start, report)}: {b.metrics.succeeded} succeeded, "
                f"{b.metrics.failed} failed for good",
            )
            for b in report.buckets
        ],
        summary=f"{_tasks(report.total.finished)} finished ({report.total.succeeded} succeeded, "
        f"{report.total.failed} failed for good)",
    )
    rate = report.total.failure_rate
    failure = Chart(
        title="Failure rate",
        series="failure-rate",
        unit="%",
        points=[
            Point(
                label=_label(b.start, report),
                value=None if b.metrics.failure_rate is None else 100 * b.metrics.failure_rate,
                tooltip=f"{_label(b.start, report)}: {_rate(b.metrics)}",
            )
            for b in report.buckets
        ],
        summary="No attempt ended"
        if rate is None
        else f"{_rate(report.total)} of attempts that ended failed",
    )
    drawn = [
        DrawnChart(throughput, bar_chart(throughput), [throughput]),
        DrawnChart(failure, line_chart(failure), [failure]),
    ]
    drawn.append(
        _percentile_chart(
            report, "Run time", "run", TaskMetrics.run_percentile, report.total.run_count
        )
    )
    drawn.append(
        _percentile_chart(
            report, "Queue wait", "wait", TaskMetrics.wait_percentile, report.total.wait_count
        )
    )
    return drawn


def _percentile_chart(
    report: MetricsReport,
    title: str,
    series: str,
    read: Callable[[TaskMetrics, float], float | None],
    measured: int,
) -> DrawnChart:
    # Drawn in milliseconds when every value is under a second: no "5e-05s" on the axis.
    top = max(
        (v for b in report.buckets for f in PERCENTILES if (v := read(b.metrics, f)) is not None),
        default=0.0,
    )
    scale, unit = (1000.0, "ms") if top < 1 else (1.0, "s")
    lines = []
    for fraction in PERCENTILES:
        name = f"p{round(fraction * 100)}"
        points = []
        for b in report.buckets:
            value = read(b.metrics, fraction)
            label = _label(b.start, report)
            points.append(
                Point(
                    label=label,
                    value=None if value is None or value == math.inf else value * scale,
                    tooltip=f"{label}: {name} ≤ {seconds(value)}"
                    if value is not None
                    else f"{label}: none measured",
                )
            )
        lines.append(Chart(title=name, series=f"{series}-{name}", points=points, unit=unit))
    totals = ", ".join(f"p{round(f * 100)} ≤ {seconds(read(report.total, f))}" for f in PERCENTILES)
    frame = Chart(
        title=title,
        series=series,
        points=lines[0].points,
        unit=unit,
        summary=f"{_tasks(measured)} measured: {totals}" if measured else "No task measured",
    )
    return DrawnChart(frame, lines_chart(frame, lines), lines)


def seconds(value: float | None) -> str:
    """A duration in words fit for a bucket bound: 0.25 s, 12.5 s, 2.1 min."""
    if value is None:
        return "—"
    if value == float("inf"):
        return "over 1e5 s"
    if value < 1:
        return f"{value * 1000:g} ms"
    if value < 120:
        return f"{value:g} s"
    return f"{value / 60:.1f} min"


def _tasks(n: int) -> str:
    return f"{n} task" if n == 1 else f"{n} tasks"


def _rate(metrics: TaskMetrics) -> str:
    rate = metrics.failure_rate
    if rate is None:
        return "no attempt ended"
    return f"{100 * rate:.1f}% ({metrics.failed_attempts} of {metrics.attempts_ended} attempts)"


def _label(moment: datetime, report: MetricsReport) -> str:
    local = timezone.localtime(moment)
    if report.bucket_seconds < 3600:
        return local.strftime("%H:%M")
    return local.strftime("%d %b %H:%M")
