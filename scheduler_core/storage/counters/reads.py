"""Reading the trigger-kept counters: a few dozen small rows, whatever the task table holds."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from scheduler_core.domain import TaskStatus
from scheduler_core.models import ActivityMinute, QueueCount, TaskTotals

TOTALS = ("enqueued", "started", "succeeded", "failed", "retried", "cancelled", "rescued")


def queue_counts(using: str) -> dict[str, dict[TaskStatus, int]]:
    """Tasks by queue and status (every status, zeros included) for queues holding any."""
    counts: dict[str, dict[TaskStatus, int]] = defaultdict(lambda: dict.fromkeys(TaskStatus, 0))
    rows = (
        QueueCount.objects.using(using)
        .values("queue", "status")
        .annotate(total=Sum("n"))
        .order_by()
        .values_list("queue", "status", "total")
    )
    for queue, status, total in rows:
        if total:
            counts[queue][TaskStatus(status)] = int(total)
    return dict(counts)


def task_totals(using: str) -> dict[str, int]:
    """Tasks enqueued and transitions of each kind since the counters were installed."""
    sums = TaskTotals.objects.using(using).aggregate(**{name: Sum(name) for name in TOTALS})
    return {name: int(sums[name] or 0) for name in TOTALS}


def failed_since(using: str, minute: int) -> dict[str, int]:
    """Per queue: moves into failed logged from the minute starting at `minute` (Unix time)."""
    rows = (
        ActivityMinute.objects.using(using)
        .filter(minute__gte=minute)
        .values("queue")
        .annotate(total=Sum("failed"))
        .order_by()
        .values_list("queue", "total")
    )
    return {queue: int(total) for queue, total in rows if total}
