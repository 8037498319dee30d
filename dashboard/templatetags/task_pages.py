"""Template helpers of the tasks pages: worker links, run times and rescue times."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

from dashboard.rescue import rescue_due as rescue_due_text
from dashboard.tasks.links import worker_url as worker_page_url
from scheduler_core.domain import Task, TaskError, TaskStatus

register = template.Library()


@register.filter
def worker_url(worker_id: str) -> str:
    """The URL of the worker's page."""
    return worker_page_url(worker_id)


@register.filter
def run_time(task: Task) -> timedelta | None:
    """How long the latest attempt's code ran (so far, while it runs); None before it began.

    From attempt_started_at, when its worker recorded the start; otherwise from the claim
    (see `run_time_is_bound`). A running claim whose code has not begun has no run time.
    """
    began = task.attempt_started_at or task.started_at
    if began is None:
        return None
    if task.finished_at is not None:
        return max(task.finished_at - began, timedelta(0))
    if task.status is TaskStatus.RUNNING and task.attempt_started_at is not None:
        return timezone.now() - task.attempt_started_at
    return None


@register.filter
def run_time_is_bound(task: Task) -> bool:
    """True when run_time counts from the claim (no recorded start): an upper bound."""
    return task.attempt_started_at is None


@register.filter
def rescue_due(lease_expires_at: datetime | None, now: datetime) -> str:
    """ "rescue due in 12 s" or "rescue overdue by 3 s", with `now` from the database clock."""
    return rescue_due_text(lease_expires_at, now)


@register.filter
def last_error(task: Task) -> TaskError | None:
    """The error of the latest failed attempt of a failed or retrying task; None otherwise."""
    if task.status not in (TaskStatus.FAILED, TaskStatus.RETRYING) or not task.errors:
        return None
    return task.errors[-1]


@register.filter
def short_type(exception_type: str) -> str:
    """The class name of a dotted exception type: "ValueError" for "builtins.ValueError"."""
    return exception_type.rsplit(".", 1)[-1]
