"""The audit log pages: every operator action, newest first, and one entry in full."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard.access import page
from scheduler_core.bootstrap import get_queries
from scheduler_core.queries import StoredAuditEntry, audit_entry, audit_page
from scheduler_core.web.permissions import VIEW_AUDIT

from .filters import AuditFilterForm

PAGE_SIZE = 50
# Task links shown in a row of the list; the entry's own page lists them all.
TASKS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class AuditRow:
    """An entry as the list shows it: the first few task ids, and how many more it names."""

    entry: StoredAuditEntry
    shown_task_ids: list[str]
    more_tasks: int

    @classmethod
    def of(cls, entry: StoredAuditEntry) -> AuditRow:
        """The row of one entry."""
        task_ids = [str(task_id) for task_id in entry.task_ids]
        return cls(entry, task_ids[:TASKS_SHOWN], max(0, len(task_ids) - TASKS_SHOWN))


@page(VIEW_AUDIT)
def index(request: HttpRequest) -> HttpResponse:
    """The newest entries matching the filters; "Older" continues after the last one."""
    form = AuditFilterForm(request.GET)
    result = audit_page(
        get_queries().database, form.audit_filter(), after=form.cursor(), size=PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "dashboard/audit_log/list.html",
        {
            "form": form,
            "rows": [AuditRow.of(entry) for entry in result.entries],
            "next_after": result.next_after,
            "filter_query": query.urlencode(),
            "is_first_page": form.cursor() is None,
        },
    )


@page(VIEW_AUDIT)
def detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    """One entry with every task id it names."""
    entry = audit_entry(get_queries().database, entry_id)
    if entry is None:
        raise Http404("no audit entry with this id")
    return render(request, "dashboard/audit_log/detail.html", {"entry": entry})
