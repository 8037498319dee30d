"""The dashboard's workers pages: the live worker list and one worker's page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from dashboard.access import page
from dashboard.htmx import HtmxHttpRequest
from scheduler_core.bootstrap import get_queries, get_services
from scheduler_core.domain import PageRequest, TaskFilter, TaskStatus
from scheduler_core.queries import HeldTask, running_tasks_by_worker
from scheduler_core.web.permissions import VIEW_WORKERS

from .health import is_shown, stale_after, worker_row
from .lookup import worker_or_404

LIST_TEMPLATE = "dashboard/workers/list.html"
DETAIL_TEMPLATE = "dashboard/workers/detail.html"
SHOW_CHOICES = {
    "recent": "Running and recently stopped",
    "live": "Not stopped",
    "dead": "Dead in the last hour",
    "all": "All",
}
RECENT_TASKS = 50


@page(VIEW_WORKERS)
def index(request: HtmxHttpRequest) -> HttpResponse:
    """Every worker with its state, heartbeat and the tasks it runs; htmx gets the table only."""
    show = request.GET.get("show", "recent")
    if show not in SHOW_CHOICES:
        show = "recent"
    services = get_services()
    now = services.clock.now()
    ttl = stale_after()
    held = running_tasks_by_worker(get_queries().database)
    rows = [
        worker_row(worker, held.get(worker.id, []), now, ttl)
        for worker in services.workers.list_workers()
    ]
    shown = [row for row in rows if is_shown(row, now, show)]
    context = {
        "rows": shown,
        "hidden": len(rows) - len(shown),
        "show": show,
        "show_choices": SHOW_CHOICES,
        "stale_after": ttl,
    }
    template = f"{LIST_TEMPLATE}#workers" if request.htmx else LIST_TEMPLATE
    return render(request, template, context)


@page(VIEW_WORKERS)
def detail(request: HtmxHttpRequest, worker_id: str) -> HttpResponse:
    """One worker: its facts, the tasks it runs now and the last tasks it took."""
    services = get_services()
    worker = worker_or_404(services, worker_id)
    running = services.tasks.list(
        TaskFilter(worker_id=worker_id, statuses=frozenset({TaskStatus.RUNNING})),
        PageRequest(limit=RECENT_TASKS),
    ).items
    recent = services.tasks.list(
        TaskFilter(worker_id=worker_id), PageRequest(limit=RECENT_TASKS)
    ).items
    now = services.clock.now()
    held = [HeldTask(task.id, task.name) for task in running]
    context = {
        "command": services.control.command_of(worker_id),
        "row": worker_row(worker, held, now, stale_after()),
        "running": running,
        "recent": recent,
        "recent_limit": RECENT_TASKS,
    }
    template = f"{DETAIL_TEMPLATE}#worker" if request.htmx else DETAIL_TEMPLATE
    return render(request, template, context)
