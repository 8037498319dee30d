"""The admin's task actions: cancel, retry, run now, through the scheduler service.

Each needs the same permission as in the dashboard and the API, changes each selected task
on its own (one refusal does not stop the rest), tells the user what changed and what
could not, and writes audit entries (source "dashboard", action "admin.<verb>").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .bootstrap import get_services
from .domain import InvalidTransition, StaleTask, Task, TaskNotFound
from .models import TaskRecord
from .request_audit import audit_request

# More than this in one go (say, "select all" over a million rows) is refused: it would
# run for minutes inside one request.
MAX_TASKS = 1000
# Refusals named one by one in the message; the rest are counted.
REFUSALS_SHOWN = 5


@dataclass(slots=True)
class Outcome:
    """What one action did: the changed tasks by their state before, and the refusals."""

    changed: dict[str, list[Task]] = field(default_factory=lambda: defaultdict(list))
    refused: list[str] = field(default_factory=list)

    @property
    def changed_count(self) -> int:
        """How many tasks changed."""
        return sum(len(tasks) for tasks in self.changed.values())


def apply_to_selection(
    request: HttpRequest,
    queryset: QuerySet[TaskRecord],
    *,
    action: str,
    verb: str,
    done: str,
    change: Callable[[UUID, str], Task],
) -> Outcome | None:
    """Apply `change` to every selected task, audit it, and report; None if too many."""
    rows = list(queryset.order_by().values_list("id", "status")[: MAX_TASKS + 1])
    if len(rows) > MAX_TASKS:
        messages.error(
            request,
            f"Select at most {MAX_TASKS} tasks at a time; nothing was changed. Narrow the "
            "list with the filters, or use the dashboard's bulk actions.",
        )
        return None
    actor = request.user.get_username()
    outcome = Outcome()
    for task_id, status in rows:
        try:
            changed = change(task_id, actor)
        except (InvalidTransition, TaskNotFound, StaleTask) as error:
            outcome.refused.append(f"{task_id}: {error}")
        else:
            outcome.changed[status].append(changed)
    _audit(request, action, outcome)
    _report(request, verb, done, outcome)
    return outcome


def _audit(request: HttpRequest, action: str, outcome: Outcome) -> None:
    # One entry per prior state, so "from which state" stays exact for a mixed selection.
    for from_status, tasks in sorted(outcome.changed.items()):
        audit_request(request, action, tasks, source="dashboard", from_status=from_status)


def _report(request: HttpRequest, verb: str, done: str, outcome: Outcome) -> None:
    if outcome.changed_count:
        messages.success(request, f"{done} {_tasks(outcome.changed_count)}.")
    if outcome.refused:
        shown = "; ".join(outcome.refused[:REFUSALS_SHOWN])
        rest = len(outcome.refused) - REFUSALS_SHOWN
        more = f"; and {rest} more" if rest > 0 else ""
        messages.warning(
            request, f"Could not {verb} {_tasks(len(outcome.refused))}: {shown}{more}."
        )


def _tasks(count: int) -> str:
    return f"{count} task" if count == 1 else f"{count} tasks"


@admin.action(description="Cancel selected tasks", permissions=["cancel"])
def cancel_tasks(
    modeladmin: admin.ModelAdmin[TaskRecord], request: HttpRequest, queryset: QuerySet[TaskRecord]
) -> None:
    """Cancel waiting tasks; ask the workers of running ones to stop them."""
    scheduler = get_services().scheduler
    apply_to_selection(
        request,
        queryset,
        action="admin.cancel",
        verb="cancel",
        done="Cancelled (or asked the worker to stop)",
        change=lambda task_id, actor: scheduler.cancel(task_id, actor=actor),
    )


@admin.action(description="Retry selected tasks", permissions=["retry"])
def retry_tasks(
    modeladmin: admin.ModelAdmin[TaskRecord], request: HttpRequest, queryset: QuerySet[TaskRecord]
) -> None:
    """Run failed or cancelled tasks again."""
    scheduler = get_services().scheduler
    apply_to_selection(
        request,
        queryset,
        action="admin.retry",
        verb="retry",
        done="Queued again",
        change=lambda task_id, actor: scheduler.retry(task_id, actor=actor),
    )


@admin.action(description="Run selected tasks now", permissions=["run_now"])
def run_tasks_now(
    modeladmin: admin.ModelAdmin[TaskRecord], request: HttpRequest, queryset: QuerySet[TaskRecord]
) -> None:
    """Make scheduled or backing-off tasks due at once."""
    scheduler = get_services().scheduler
    apply_to_selection(
        request,
        queryset,
        action="admin.run_now",
        verb="run now",
        done="Made due now",
        change=lambda task_id, actor: scheduler.run_now(task_id, actor=actor),
    )
