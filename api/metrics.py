"""Prometheus /metrics, computed from the database at scrape time.

A custom collector reads the task tables on every scrape, so web servers and any number of
worker processes report the same numbers with no shared state between them.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from scheduler_core.bootstrap import get_queries
from scheduler_core.conf import scheduler_conf
from scheduler_core.queries import Queries, event_totals, fresh_workers, queue_stats
from scheduler_core.web.client_ip import client_ip

from .histograms import timing_histograms
from .task_histograms import per_task_metrics

LOOPBACK = frozenset({"127.0.0.1", "::1"})
COUNTERS = {
    "enqueued": "Tasks enqueued",
    "started": "Tasks claimed by a worker (attempts, and claims given back unstarted)",
    "succeeded": "Tasks that succeeded",
    "failed": "Tasks that failed for good",
    "retried": "Failed or lost attempts that will be retried",
    "rescued": "Leases that expired and were rescued (lost attempts, unstarted claims)",
    "cancelled": "Tasks cancelled",
}


class SchedulerCollector(Collector):
    """Task, queue and worker metrics read from the scheduler's database."""

    def __init__(self, queries: Queries) -> None:
        self.queries = queries

    def collect(self) -> Iterator[Metric]:
        """One read of the tables per scrape."""
        now = self.queries.clock.now()
        tasks = GaugeMetricFamily(
            "scheduler_tasks", "Tasks by status and queue", labels=["queue", "status"]
        )
        oldest = GaugeMetricFamily(
            "scheduler_oldest_ready_task_age_seconds",
            "How long the oldest due task of each queue has waited",
            labels=["queue"],
        )
        for queue in queue_stats(self.queries.database, now):
            for status, count in queue.counts.items():
                tasks.add_metric([queue.name, status.value], count)
            waited = now - queue.oldest_due_at if queue.oldest_due_at else timedelta(0)
            oldest.add_metric([queue.name], max(0.0, waited.total_seconds()))
        yield tasks
        yield oldest
        for name, value in event_totals(self.queries.database).items():
            counter = CounterMetricFamily(f"scheduler_tasks_{name}", COUNTERS[name])
            counter.add_metric([], value)
            yield counter
        ttl = scheduler_conf().stale_after
        live = fresh_workers(self.queries.database, now, ttl)
        yield GaugeMetricFamily(
            "scheduler_workers_live", "Workers not stopped with a recent heartbeat", value=live
        )
        yield from timing_histograms(self.queries.database, now)
        yield from per_task_metrics(self.queries, now)


def _allowed(request: HttpRequest) -> bool:
    token = scheduler_conf().metrics_token
    header = request.headers.get("Authorization", "")
    if token:
        return hmac.compare_digest(header.encode(), f"Bearer {token}".encode())
    # Without a token only the host itself (or a sidecar on it) may scrape. Behind proxies
    # the client's address, not the proxy's, which is often this very host.
    return client_ip(request) in LOOPBACK


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """The exposition; 403 without the token (or, with none set, from off the host)."""
    if not _allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SchedulerCollector(get_queries()))
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
