"""One TaskMetrics as the words a table cell shows, so every table on the page says the
same thing the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from scheduler_core.domain.task_metrics import PERCENTILES, TaskMetrics

from .charts import seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """A table row's cells."""

    finished: int
    succeeded: int
    failed: int
    cancelled: int
    failed_attempts: int
    failure_rate: str
    # One entry per percentile (p50, p95, p99): "≤ 250 ms", or "—" with nothing measured.
    run: list[str]
    wait: list[str]
    run_count: int
    wait_count: int


def figures(metrics: TaskMetrics) -> Figures:
    """The cells of `metrics`."""
    rate = metrics.failure_rate
    return Figures(
        finished=metrics.finished,
        succeeded=metrics.succeeded,
        failed=metrics.failed,
        cancelled=metrics.cancelled,
        failed_attempts=metrics.failed_attempts,
        failure_rate="—" if rate is None else f"{100 * rate:.1f}%",
        run=[_bound(metrics.run_percentile(f)) for f in PERCENTILES],
        wait=[_bound(metrics.wait_percentile(f)) for f in PERCENTILES],
        run_count=metrics.run_count,
        wait_count=metrics.wait_count,
    )


def bucket_rows(buckets: list[tuple[datetime, Figures]]) -> SafeString:
    """The rows of the charts' table, built here: a template loop over up to 168 rows of
    eleven cells took longer than the rest of the page."""
    return format_html_join(
        "\n",
        '<tr><th scope="row" class="nowrap"><time datetime="{}">{}</time></th>'
        '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
        '<td class="num nowrap">{}</td><td class="num nowrap">{}</td>'
        '<td class="num nowrap">{}</td><td class="num nowrap">{}</td>'
        '<td class="num nowrap">{}</td><td class="num nowrap">{}</td></tr>',
        (
            (
                start.isoformat(),
                start.strftime("%Y-%m-%d %H:%M"),
                row.finished,
                row.failed_attempts,
                row.failure_rate,
                *row.run,
                *row.wait,
            )
            for start, row in buckets
        ),
    )


def _bound(value: float | None) -> str:
    return "—" if value is None else f"≤ {seconds(value)}"
