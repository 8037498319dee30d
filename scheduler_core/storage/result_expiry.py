"""Dropping the results whose result_ttl ran out, by the database clock, in batches.

The expiry moment (finished_at + result_ttl) is computed in SQL, per engine; the partial
index sched_task_result_ttl_idx holds only finished rows whose result is still kept, so the
pass reads those and none of the rest of the table.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import BooleanField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL

from scheduler_core.domain.status import TERMINAL_STATUSES
from scheduler_core.models import TaskRecord
from scheduler_core.models.choices import live

from .db_clock import DatabaseClock
from .sqlite_locks import retry_when_locked

POSTGRES_RAN_OUT = (
    "scheduler_task.finished_at + scheduler_task.result_ttl * interval '1 second' <= %s"
)
# SQLite keeps datetimes as text; julianday() reads them as days.
SQLITE_RAN_OUT = (
    "julianday(scheduler_task.finished_at) + scheduler_task.result_ttl / 86400.0 <= julianday(%s)"
)


def expire_results(using: str, limit: int) -> int:
    """Drop up to `limit` results whose result_ttl ran out; how many were dropped."""
    connection = connections[using]
    now = DatabaseClock(using).now()
    if connection.vendor == "postgresql":
        ran_out = RawSQL(POSTGRES_RAN_OUT, [now], output_field=BooleanField())
    else:
        stored_now = connection.ops.adapt_datetimefield_value(now)
        ran_out = RawSQL(SQLITE_RAN_OUT, [stored_now], output_field=BooleanField())
    rows = TaskRecord.objects.using(using)
    # A step of a run still going keeps its result: a step after it may yet read it.
    open_run = rows.filter(workflow_id=OuterRef("workflow_id")).filter(live())
    kept = rows.filter(
        finished_at__isnull=False,
        result_ttl__isnull=False,
        result_expired=False,
        status__in=sorted(status.value for status in TERMINAL_STATUSES),
    )
    due = kept.filter(ran_out).exclude(Q(workflow_id__isnull=False) & Exists(open_run))
    ids = list(due.order_by("finished_at").values_list("id", flat=True)[:limit])
    if not ids:
        return 0
    # Still finished and kept: a task retried since the select starts afresh.
    stale = kept.filter(id__in=ids)
    expired: int = retry_when_locked(lambda: stale.update(result=None, result_expired=True))
    return expired
