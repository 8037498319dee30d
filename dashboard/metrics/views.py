"""Metrics pages: throughput, failure rate, run time and queue wait of all tasks, of one
task name, or of one queue, over the last hour, day, week or month (docs/metrics.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dashboard.access import page
from dashboard.spans import SPANS, Span, span_from_query
from scheduler_core.bootstrap import get_queries
from scheduler_core.domain.defaults import MAX_QUEUE_LENGTH
from scheduler_core.domain.task_metrics import PERCENTILES
from scheduler_core.queries import Queries, Scope

from .charts import metrics_charts
from .figures import Figures, bucket_rows, figures
from .report import MetricsReport, Part, build_report

MAX_NAME_LENGTH = 200
# Windows of a day or more (15-minute, hourly and 6-hourly buckets) are read once a minute
# from Django's cache, as the failures page's long windows are: a day is about 200 rows per
# name and queue, a month up to a thousand, and decoding their histograms took 0.1 to 0.25 s
# a read at W4's million tasks on the loaded machine. The last hour is read on every request.
CACHED_FROM = timedelta(days=1)
CACHE_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Row:
    """A task name or queue in a breakdown table, with its page and its tasks."""

    key: str
    figures: Figures
    metrics_url: str
    tasks_url: str


def _report(queries: Queries, scope: Scope, span: Span) -> MetricsReport:
    if span.length < CACHED_FROM:
        return build_report(queries, scope, span)
    minute = int(queries.clock.now().timestamp()) // 60
    using = queries.database
    digest = hashlib.sha256(repr((using, scope.name, scope.queue, span.key)).encode()).hexdigest()
    key = f"scheduler.metrics:{digest}:{minute}"
    report: MetricsReport | None = cache.get(key)
    if report is None:
        report = build_report(queries, scope, span)
        cache.set(key, report, timeout=CACHE_SECONDS)
    return report


def _rows(parts: list[Part], page: str, field: str) -> list[Row]:
    """Breakdown rows linking each part's metrics page and its tasks (filtered by `field`)."""
    tasks = reverse("dashboard:tasks:list")
    return [
        Row(
            part.key,
            figures(part.metrics),
            reverse(f"dashboard:metrics:{page}", args=[part.key]),
            f"{tasks}?{urlencode({field: part.key})}",
        )
        for part in parts
    ]


def _render(request: HttpRequest, scope: Scope, heading: str) -> HttpResponse:
    span = span_from_query(request.GET.get("window"))
    report = _report(get_queries(), scope, span)
    by_name = _rows(report.by_name, "task", "name")
    by_queue = _rows(report.by_queue, "queue", "queue")
    buckets = [(bucket.start, figures(bucket.metrics)) for bucket in report.buckets]
    context = {
        "scope": scope,
        "heading": heading,
        "span": span,
        "spans": SPANS.values(),
        "report": report,
        "charts": metrics_charts(report),
        "total": figures(report.total),
        # A name's page breaks down by queue, a queue's by name, all tasks by both.
        "by_name": by_name if scope.name is None else [],
        "by_queue": by_queue if scope.queue is None else [],
        # Newest first: the table is read from the top.
        "bucket_count": len(buckets),
        "bucket_rows": bucket_rows(buckets[::-1]),
        "percentiles": [f"p{round(f * 100)}" for f in PERCENTILES],
        "cached": span.length >= CACHED_FROM,
    }
    return render(request, "dashboard/metrics/page.html", context)


@page()
def overview(request: HttpRequest) -> HttpResponse:
    """Every task together, with a row per task name and per queue linking to its page."""
    return _render(request, Scope(), "Metrics: all tasks")


@page()
def task_name(request: HttpRequest, name: str) -> HttpResponse:
    """One task name, with a row per queue it ran in."""
    if len(name) > MAX_NAME_LENGTH:
        raise Http404("no such task name")
    return _render(request, Scope(name=name), f"Metrics: task {name}")


@page()
def queue(request: HttpRequest, queue: str) -> HttpResponse:
    """One queue, with a row per task name that ran in it."""
    if len(queue) > MAX_QUEUE_LENGTH:
        raise Http404("no such queue")
    return _render(request, Scope(queue=queue), f"Metrics: queue {queue}")
