"""A run's status as SQL: read from its steps (never stored), for filtering the run list.

Each EXISTS is one probe of the (workflow_id, status) index of the task table.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from scheduler_core.domain.workflow import RunStatus
from scheduler_core.models import TaskRecord
from scheduler_core.models.choices import TERMINAL_VALUES


def status_filter(using: str, status: str) -> Q:
    """Runs whose steps add up to `status` (running, succeeded, failed or cancelled)."""
    steps = TaskRecord.objects.using(using).filter(workflow_id=OuterRef("id"))
    unfinished = Exists(steps.exclude(status__in=TERMINAL_VALUES))
    failed = Exists(steps.filter(status="failed"))
    cancelled = Exists(steps.filter(status="cancelled"))
    if status == RunStatus.RUNNING:
        return Q(unfinished)
    if status == RunStatus.FAILED:
        return ~Q(unfinished) & Q(failed)
    if status == RunStatus.CANCELLED:
        return ~Q(unfinished) & ~Q(failed) & Q(cancelled)
    return ~Q(unfinished) & ~Q(failed) & ~Q(cancelled)
