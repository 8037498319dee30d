"""Cancel, retry, run now and delete one task: POST only, each behind its own permission."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from dashboard.access import action
from scheduler_core.bootstrap import get_services
from scheduler_core.domain import InvalidTransition, StaleTask, TaskNotFound, TaskStatus
from scheduler_core.services.bulk import BulkAction
from scheduler_core.web import permissions
from scheduler_core.web.operator_audit import audit_request

from .http import see_other
from .operations import OPERATIONS


def _act(request: HttpRequest, task_id: UUID, name: BulkAction) -> HttpResponse:
    operation = OPERATIONS[name]
    scheduler = get_services().tasks
    detail = reverse("dashboard:tasks:detail", args=[task_id])
    try:
        before = scheduler.status(task_id)
        task = operation.run(scheduler, task_id, request.user.get_username())
    except TaskNotFound:
        messages.error(request, f"Task {task_id} does not exist (any more).")
        return see_other(reverse("dashboard:tasks:list"))
    except (InvalidTransition, StaleTask) as error:
        # Someone (a worker, another operator) moved the task; the page shows where it is now.
        messages.error(request, f"{operation.label} did nothing: {error}.")
        return see_other(detail)
    audit_request(request, name.value, [task], source="dashboard", from_status=before.status.value)
    if name is BulkAction.CANCEL and task.status is TaskStatus.RUNNING:
        # Not cancelled yet: its worker stops it and confirms (docs/dashboard.md).
        messages.success(request, f"Task {task.name} is cancelling: its worker stops it now.")
    else:
        messages.success(request, f"Task {task.name} {operation.done}.")
    if name is BulkAction.DELETE:
        return see_other(reverse("dashboard:tasks:list"))
    return see_other(detail)


@action(permissions.CANCEL)
def cancel(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """Cancel a waiting task; ask the worker of a running one to stop it."""
    return _act(request, task_id, BulkAction.CANCEL)


@action(permissions.RETRY)
def retry(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """Run a failed or cancelled task again."""
    return _act(request, task_id, BulkAction.RETRY)


@action(permissions.RUN_NOW)
def run_now(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """Make a scheduled or backing-off task due at once."""
    return _act(request, task_id, BulkAction.RUN_NOW)


@action(permissions.DELETE)
def delete(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """Remove a finished task and its history."""
    return _act(request, task_id, BulkAction.DELETE)
