"""The admin's task actions: cancel, retry, run now, through the scheduler service.

Each needs the same permission as in the dashboard and the API, and applies itself through
the services' BulkActions, as the dashboard's bulk actions do: each selected task changes
on its own (one refusal does not stop the rest). The user is told what changed and what
could not, and audit entries are written (source "admin", action "admin.<verb>").
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from scheduler_core.bootstrap import get_services
from scheduler_core.domain import Task
from scheduler_core.models import TaskRecord
from scheduler_core.services.bulk import BulkAction, BulkActions, BulkResult
from scheduler_core.web.operator_audit import audit_request

# More than this in one go (say, "select all" over a million rows) is refused: it would
# run for minutes inside one request.
MAX_TASKS = 1000
# Refusals named one by one in the message; the rest are counted.
REFUSALS_SHOWN = 5


def apply_to_selection(
    request: HttpRequest, queryset: QuerySet[TaskRecord], *, action: BulkAction, done: str
) -> BulkResult | None:
    """Apply `action` to every selected task (BulkActions), audit it, report; None if too many."""
    ids = list(queryset.order_by().values_list("id", flat=True)[: MAX_TASKS + 1])
    if len(ids) > MAX_TASKS:
        messages.error(
            request,
            f"Select at most {MAX_TASKS} tasks at a time; nothing was changed. Narrow the "
            "list with the filters, or use the dashboard's bulk actions.",
        )
        return None
    bulk = BulkActions(get_services().tasks)
    result = bulk.apply_to_ids(action, ids, actor=request.user.get_username())
    _audit(request, f"admin.{action.value}", result)
    _report(request, action.value.replace("_", " "), done, result)
    return result


def _audit(request: HttpRequest, action: str, result: BulkResult) -> None:
    # One entry per prior state, so "from which state" stays exact for a mixed selection.
    by_status: dict[str, list[Task]] = defaultdict(list)
    for item in result.done:
        by_status[item.from_status.value].append(item.task)
    for from_status, tasks in sorted(by_status.items()):
        audit_request(request, action, tasks, source="admin", from_status=from_status)


def _report(request: HttpRequest, verb: str, done: str, result: BulkResult) -> None:
    if result.done:
        messages.success(request, f"{done} {_tasks(len(result.done))}.")
    if result.skipped:
        shown = "; ".join(result.reasons[:REFUSALS_SHOWN])
        rest = result.skipped - min(len(result.reasons), REFUSALS_SHOWN)
        more = f"; and {rest} more" if rest > 0 else ""
        messages.warning(request, f"Could not {verb} {_tasks(result.skipped)}: {shown}{more}.")


def _tasks(count: int) -> str:
    return f"{count} task" if count == 1 else f"{count} tasks"


@admin.action(description="Cancel selected tasks", permissions=["cancel"])
def cancel_tasks(
    modeladmin: admin.ModelAdmin[TaskRecord], request: HttpRequest, queryset: QuerySet[TaskRecord]
) -> None:
    """Cancel waiting tasks; ask the workers of running ones to stop them."""
    apply_to_selection(
        request, queryset, action=BulkAction.CANCEL, done="Cancelled (or asked the worker to stop)"
    )


@admin.action(description="Retry selected tasks", permissions=["retry"])
def retry_tasks(
    modeladmin: admin.ModelAdmin[TaskRecord], request: HttpRequest, queryset: QuerySet[TaskRecord]
) -> None:
    """Run failed or cancelled tasks again."""
    apply_to_selection(request, queryset, action=BulkAction.RETRY, done="Queued again")


@admin.action(description="Run selected tasks now", permissions=["run_now"])
def run_tasks_now(
    modeladmin: admin.ModelAdmin[TaskRecord], request: HttpRequest, queryset: QuerySet[TaskRecord]
) -> None:
    """Make scheduled or backing-off tasks due at once."""
    apply_to_selection(request, queryset, action=BulkAction.RUN_NOW, done="Made due now")
