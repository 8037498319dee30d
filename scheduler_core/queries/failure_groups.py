"""Failed attempts of a recent window grouped by task name and error type (triage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Count, Max, Min

from scheduler_core.models import TaskErrorRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class FailureGroup:
    """The failed attempts of one task name with one error type since a moment."""

    name: str
    exception_type: str
    # Failed attempts, and the distinct tasks they belong to.
    attempts: int
    tasks: int
    first_seen: datetime
    last_seen: datetime
    # The newest attempt's error stands for the group.
    sample_task_id: UUID
    sample_message: str
    sample_traceback: str


def failure_groups(using: str, since: datetime, limit: int) -> list[FailureGroup]:
    """The `limit` largest groups of attempts failed at or after `since`, biggest first.

    Ties are broken by name and error type, which together are unique, so the order is
    total. Every attempt counts, the worker-lost verdicts of the rescuer included.
    """
    rows = list(
        TaskErrorRecord.objects.using(using)
        .filter(failed_at__gte=since)
        .values("task__name", "exception_type")
        .annotate(
            attempts=Count("id"),
            tasks=Count("task_id", distinct=True),
            first=Min("failed_at"),
            last=Max("failed_at"),
            newest=Max("id"),
        )
        .order_by("-attempts", "task__name", "exception_type")[:limit]
    )
    samples = {
        sample.pk: sample
        for sample in TaskErrorRecord.objects.using(using).filter(
            pk__in=[row["newest"] for row in rows]
        )
    }
    return [
        FailureGroup(
            name=row["task__name"],
            exception_type=row["exception_type"],
            attempts=row["attempts"],
            tasks=row["tasks"],
            first_seen=row["first"],
            last_seen=row["last"],
            sample_task_id=samples[row["newest"]].task_id,
            sample_message=samples[row["newest"]].message,
            sample_traceback=samples[row["newest"]].traceback,
        )
        for row in rows
    ]
