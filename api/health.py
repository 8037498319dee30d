"""Liveness (/healthz) and readiness (/readyz) probes: JSON, no secrets, no task data."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scheduler_core.models import WorkerRecord
from scheduler_core.storage.db_clock import DatabaseClock


def _stale_after() -> timedelta:
    """A worker silent for a whole lease has missed three heartbeats (one every third)."""
    return timedelta(seconds=int(settings.SCHEDULER.get("LEASE_SECONDS", 60)))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving; touches no database."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers and every migration is applied; counts stale workers."""
    using = settings.SCHEDULER.get("DATABASE", "default")
    try:
        connection = connections[using]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            # The tables may not exist yet (an empty database): answering is all we ask.
            DatabaseClock(using).now()
            return JsonResponse(
                {"status": "unavailable", "database": "ok", "migrations": "pending"}, status=503
            )
        now = DatabaseClock(using).now()
        stale = (
            WorkerRecord.objects.using(using)
            .exclude(state__in=["stopped", "dead"])
            .filter(last_heartbeat__lt=now - _stale_after())
            .count()
        )
    except DatabaseError:
        # The reason stays in the server's logs: it may name hosts or users.
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    body = {"status": "ok", "database": "ok", "migrations": "applied", "stale_workers": stale}
    return JsonResponse(body)
