"""Dashboard and API task lists as querysets: filters and keyset pages."""

from __future__ import annotations

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from scheduler_core.domain import TaskFilter
from scheduler_core.domain.listing import Cursor
from scheduler_core.models import TaskRecord


def filtered(rows: QuerySet[TaskRecord], task_filter: TaskFilter) -> QuerySet[TaskRecord]:
    """Rows matching every field set in the filter."""
    if task_filter.statuses:
        rows = rows.filter(status__in=sorted(s.value for s in task_filter.statuses))
    if task_filter.queue is not None:
        rows = rows.filter(queue=task_filter.queue)
    if task_filter.name is not None:
        rows = rows.filter(name=task_filter.name)
    if task_filter.worker_id is not None:
        rows = rows.filter(worker_id=task_filter.worker_id)
    if task_filter.enqueued_after is not None:
        rows = rows.filter(enqueued_at__gte=task_filter.enqueued_after)
    if task_filter.enqueued_before is not None:
        rows = rows.filter(enqueued_at__lt=task_filter.enqueued_before)
    if task_filter.search:
        # Search the JSON text of the arguments, as the in-memory adapter does.
        rows = rows.annotate(
            args_text=Cast("args", TextField()), kwargs_text=Cast("kwargs", TextField())
        ).filter(
            Q(args_text__icontains=task_filter.search)
            | Q(kwargs_text__icontains=task_filter.search)
        )
    return rows


def after(rows: QuerySet[TaskRecord], cursor: Cursor | None) -> QuerySet[TaskRecord]:
    """Rows past the cursor in newest-first order, ordered for a keyset page."""
    if cursor is not None:
        rows = rows.filter(
            Q(enqueued_at__lt=cursor.enqueued_at)
            | Q(enqueued_at=cursor.enqueued_at, id__lt=cursor.task_id)
        )
    return rows.order_by("-enqueued_at", "-id")
