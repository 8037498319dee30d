"""The workflows list (by name and status) and one run's page: graph, steps, live until done."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_htmx.http import HttpResponseStopPolling

from dashboard.access import page
from dashboard.tasks.http import is_htmx
from scheduler_core.bootstrap import get_services
from scheduler_core.domain import WorkflowNotFound
from scheduler_core.domain.workflow import RunStatus
from scheduler_core.web.permissions import VIEW

from .graph import graph_svg, step_rows

LIST_TEMPLATE = "dashboard/workflows/list.html"
DETAIL_TEMPLATE = "dashboard/workflows/detail.html"
RUNS_SHOWN = 50


@page(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    """The newest runs, filtered by name and status, with their steps counted by status."""
    name = request.GET.get("name", "").strip()[:200]
    status = request.GET.get("status", "")
    if status not in RunStatus.ALL:
        status = ""
    runs = get_services().workflows.list_runs(
        name=name or None, status=status or None, limit=RUNS_SHOWN
    )
    context = {"runs": runs, "name": name, "status": status, "statuses": RunStatus.ALL}
    template = f"{LIST_TEMPLATE}#table" if is_htmx(request) else LIST_TEMPLATE
    return render(request, template, context)


@page(VIEW)
def detail(request: HttpRequest, run_id: UUID) -> HttpResponse:
    """One run: its graph, a table of every step, and the actions on the whole run."""
    try:
        view = get_services().workflows.get(run_id)
    except WorkflowNotFound as error:
        if is_htmx(request):
            return HttpResponseStopPolling()
        raise Http404(f"no workflow run {run_id}") from error
    context = {
        "view": view,
        "graph": graph_svg(view, lambda task_id: reverse("dashboard:tasks:detail", args=[task_id])),
        "rows": step_rows(view),
        "counts": sorted(view.counts().items()),
        "live": view.status == RunStatus.RUNNING,
        "can_retry": any(
            t.status.value in ("failed", "cancelled") and t.upstream_failed is None
            for t in view.steps
        ),
    }
    template = f"{DETAIL_TEMPLATE}#live" if is_htmx(request) else DETAIL_TEMPLATE
    return render(request, template, context)
