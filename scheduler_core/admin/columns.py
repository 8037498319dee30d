"""Compact columns for the admin's task list, so that every column fits at 1440 px beside
the admin's two sidebars: attempts as "1 / 3", times without the year, worker ids cut."""

from __future__ import annotations

from datetime import datetime

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from scheduler_core.models import TaskRecord

# A worker id is host-pid-random; its start says which machine, the title holds all of it.
WORKER_SHOWN = 12


def _moment(value: datetime | None) -> SafeString | str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        local.strftime("%Y-%m-%d %H:%M:%S %Z"),
        local.strftime("%m-%d %H:%M:%S"),
    )


@admin.display(description="prio.", ordering="priority")
def priority(task: TaskRecord) -> str:
    """Its priority (high first), under a short header."""
    return str(task.priority)


@admin.display(description="attempts", ordering="attempt")
def attempts(task: TaskRecord) -> str:
    """Attempts used of those allowed."""
    return f"{task.attempt} / {task.max_attempts}"


@admin.display(description="enqueued", ordering="enqueued_at")
def enqueued(task: TaskRecord) -> SafeString | str:
    """When it was submitted, month to second (the year in the tooltip)."""
    return _moment(task.enqueued_at)


@admin.display(description="due", ordering="run_after")
def due(task: TaskRecord) -> SafeString | str:
    """When its current or next attempt falls due."""
    return _moment(task.run_after)


@admin.display(description="worker", ordering="worker_id")
def worker(task: TaskRecord) -> SafeString | str:
    """The worker of its latest attempt, cut to its start (in full in the tooltip)."""
    if not task.worker_id:
        return "—"
    shown = task.worker_id
    if len(shown) > WORKER_SHOWN:
        shown = shown[:WORKER_SHOWN] + "…"
    return format_html('<span title="{}">{}</span>', task.worker_id, shown)
