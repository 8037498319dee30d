"""Liveness (/healthz) and readiness (/readyz) probes: JSON, no secrets, no task data."""

from __future__ import annotations

from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scheduler_core.bootstrap import get_queries
from scheduler_core.conf import scheduler_conf
from scheduler_core.queries import stale_workers


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving; touches no database."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers and every migration is applied; counts stale workers."""
    queries = get_queries()
    try:
        connection = connections[queries.database]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            # The tables may not exist yet (an empty database): answering is all we ask.
            queries.clock.now()
            return JsonResponse(
                {"status": "unavailable", "database": "ok", "migrations": "pending"}, status=503
            )
        now = queries.clock.now()
        stale = stale_workers(queries.database, now, scheduler_conf().stale_after)
    except DatabaseError:
        # The reason stays in the server's logs: it may name hosts or users.
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    body = {"status": "ok", "database": "ok", "migrations": "applied", "stale_workers": stale}
    return JsonResponse(body)
