"""Template helpers of the tasks pages: worker links and run times."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone

from dashboard.tasks.links import worker_url as worker_page_url
from scheduler_core.domain import Task, TaskStatus

register = template.Library()


@register.filter
def worker_url(worker_id: str) -> str:
    """The URL of the worker's page."""
    return worker_page_url(worker_id)


@register.filter
def run_time(task: Task) -> timedelta | None:
    """How long the latest attempt ran (so far, while it runs); None before it started."""
    if task.started_at is None:
        return None
    if task.finished_at is not None:
        return task.finished_at - task.started_at
    if task.status is TaskStatus.RUNNING:
        return timezone.now() - task.started_at
    return None
