"""A task's page: facts, arguments, result, and the timeline of its attempts; live until done."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import HttpResponseStopPolling

from dashboard.access import page
from dashboard.workers.health import stale_after
from scheduler_core.bootstrap import get_services
from scheduler_core.domain import TaskNotFound
from scheduler_core.storage.worker_census import live_workers, worker_census

from .holder import holder_notice
from .http import is_htmx
from .operations import available
from .timeline import attempts_of

TEMPLATE = "dashboard/tasks/detail.html"


@page()
def task_detail(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """The task as stored now; a 404 page for an unknown (or deleted) task."""
    services = get_services()
    scheduler = services.scheduler
    try:
        task = scheduler.status(task_id)
    except TaskNotFound:
        if is_htmx(request):
            # Deleted while the page watched it: stop polling, keep what is on screen.
            return HttpResponseStopPolling()
        return render(request, "dashboard/tasks/not_found.html", {"task_id": task_id}, status=404)
    transitions = scheduler.transitions(task_id)
    ttl = stale_after()
    holder = holder_notice(task, services.workers, services.clock.now(), ttl)
    context = {
        "task": task,
        "holder": holder,
        # Only a live worker's maintenance pass rescues: say so when none is left.
        "no_rescuer": holder is not None
        and not live_workers(worker_census(settings.SCHEDULER.get("DATABASE", "default"), ttl)),
        "attempts": attempts_of(task, transitions),
        "transitions": transitions,
        "operations": available(task, request.user),
        "live": not task.is_terminal(),
    }
    template = f"{TEMPLATE}#live" if is_htmx(request) else TEMPLATE
    return render(request, template, context)
