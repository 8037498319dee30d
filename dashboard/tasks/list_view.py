"""The task list: filters in the querystring, keyset pages, a live first page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard.access import page
from scheduler_core.bootstrap import get_services

from .filters import PAGE_SIZES, TaskFilterForm, filter_query
from .http import is_htmx
from .operations import allowed
from .totals import page_total, status_counts

TEMPLATE = "dashboard/tasks/list.html"


@page()
def task_list(request: HttpRequest) -> HttpResponse:
    """Tasks matching the filters, newest first, with counts that stay cheap at any size."""
    form = TaskFilterForm.from_query(request.GET)
    context: dict[str, object] = {
        "form": form,
        "page_sizes": PAGE_SIZES,
        "filter_query": filter_query(request.GET),
        "operations": allowed(request.user),
        # None, not absent: the template tells "not listed" (bad filters) from "none found".
        "tasks": None,
    }
    if not form.is_valid():
        # The filters stay on screen with the error next to the field; nothing is listed.
        return render(request, TEMPLATE, context, status=400)
    scheduler = get_services().tasks
    task_filter = form.task_filter()
    result = scheduler.list(task_filter, form.page_request())
    context.update(
        status_counts=status_counts(scheduler, task_filter.queue),
        counts_queue=task_filter.queue,
        total=page_total(scheduler, task_filter, result, form.cleaned_data["cursor"] is None),
        tasks=result.items,
        next_cursor=result.next_cursor.encode() if result.next_cursor else None,
        # Only the newest page refreshes itself: an older page would shift under the reader.
        live=form.cleaned_data["cursor"] is None,
        filtered=form.is_filtered(),
        # The metrics page of the name or queue filtered to (a name's, when both are).
        metrics_name=task_filter.name,
        metrics_queue=task_filter.queue,
    )
    template = f"{TEMPLATE}#table" if is_htmx(request) else TEMPLATE
    return render(request, template, context)
