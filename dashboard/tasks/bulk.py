"""Bulk actions: on the rows selected in the list, or on everything a filter matches."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from dashboard.access import action, form_page
from scheduler_core.bootstrap import get_services
from scheduler_core.domain import TaskInvalid
from scheduler_core.services.bulk import BulkActions, BulkResult
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.permissions import VIEW

from .filters import TaskFilterForm, filter_query
from .http import see_other
from .operations import Operation, operation_named

# The most row ids one selection may post; the list shows at most 200 rows a page.
MAX_SELECTED = 1000


def _operation(request: HttpRequest, name: str) -> Operation:
    """The named operation if the user may take it; 404 for a name we do not know."""
    operation = operation_named(name)
    if operation is None:
        raise Http404(f"there is no bulk action {name!r}")
    if not request.user.has_perm(operation.permission):
        raise PermissionDenied(f"your role lacks the permission {operation.permission!r}")
    return operation


def _list_url(query: str) -> str:
    base = reverse("dashboard:tasks:list")
    return f"{base}?{query}" if query else base


def _report(request: HttpRequest, operation: Operation, result: BulkResult, target: str) -> None:
    """Write one audit record for the whole action and tell the operator what happened."""
    if result.done:
        before = sorted(result.from_statuses)
        audit_request(
            request,
            f"bulk_{operation.action.value}",
            result.tasks,
            source="dashboard",
            from_status=before[0].value if len(before) == 1 else "mixed",
            target=f"{target}; {result.skipped} skipped",
        )
    text = f"{len(result.done):,} tasks {operation.done}; {result.skipped:,} skipped"
    if result.capped:
        text += f". Stopped at the limit of {get_bulk().limit:,} tasks: run it again for the rest"
    level = messages.SUCCESS if result.done else messages.WARNING
    messages.add_message(request, level, f"{text}.")


def get_bulk() -> BulkActions:
    """The bulk actions over the process's scheduler service."""
    return BulkActions(get_services().tasks)


@action(VIEW)
def bulk_selected(request: HttpRequest) -> HttpResponse:
    """Apply the posted action to the posted task ids; tasks it does not apply to are skipped."""
    operation = _operation(request, request.POST.get("action", ""))
    back = _list_url(QueryDict(request.POST.get("back", "")).urlencode())
    raw_ids = request.POST.getlist("ids")
    if not raw_ids:
        messages.error(request, "Select at least one task first.")
        return see_other(back)
    if len(raw_ids) > MAX_SELECTED:
        messages.error(request, f"Select at most {MAX_SELECTED:,} tasks, or act on the filter.")
        return see_other(back)
    try:
        ids = [UUID(raw) for raw in raw_ids]
    except ValueError:
        messages.error(request, "The selection holds something that is not a task id.")
        return see_other(back)
    try:
        result = get_bulk().apply_to_ids(operation.action, ids, actor=request.user.get_username())
    except TaskInvalid as error:
        messages.error(request, str(error))
        return see_other(back)
    _report(request, operation, result, "selected tasks")
    return see_other(back)


@form_page(VIEW)
def bulk_filter(request: HttpRequest, name: str) -> HttpResponse:
    """GET: how many tasks the action would touch; POST: take it on all of them."""
    operation = _operation(request, name)
    form = TaskFilterForm.from_query(request.GET)
    query = filter_query(request.GET)
    bulk = get_bulk()
    context: dict[str, object] = {"operation": operation, "form": form, "query": query}
    if not form.is_valid():
        return render(request, "dashboard/tasks/bulk_confirm.html", context, status=400)
    task_filter = form.task_filter()
    if request.method == "POST":
        result = bulk.apply_to_filter(
            operation.action, task_filter, actor=request.user.get_username()
        )
        _report(request, operation, result, f"filter {query or '(all tasks)'}")
        return see_other(_list_url(query))
    context.update(
        count=bulk.count(operation.action, task_filter),
        matching=get_services().tasks.count(task_filter),
        limit=bulk.limit,
        limit_text=f"{bulk.limit:,}",
        statuses=sorted(operation.action.applies_to),
    )
    return render(request, "dashboard/tasks/bulk_confirm.html", context)
