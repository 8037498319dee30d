"""A task's page: facts, arguments, result, and the timeline of its attempts; live until done."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import HttpResponseStopPolling

from dashboard.access import page
from dashboard.workers.health import stale_after
from scheduler_core.bootstrap import get_queries, get_services
from scheduler_core.domain import TaskNotFound, UnknownTask
from scheduler_core.queries import live_workers, worker_census
from scheduler_core.task_backend.policy import retry_summary
from scheduler_core.task_backend.registry import registry

from .holder import holder_notice
from .http import is_htmx
from .operations import available
from .timeline import attempts_of

TEMPLATE = "dashboard/tasks/detail.html"


@page()
def task_detail(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """The task as stored now; a 404 page for an unknown (or deleted) task."""
    services = get_services()
    scheduler = services.tasks
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
        and not live_workers(worker_census(get_queries().database, services.clock.now(), ttl)),
        "attempts": attempts_of(task, transitions),
        "transitions": transitions,
        "operations": available(task, request.user),
        "live": not task.is_terminal(),
        "workflow": services.workflows.neighbours(task),
        "retry_policy": _retry_policy(task.name),
    }
    template = f"{TEMPLATE}#live" if is_htmx(request) else TEMPLATE
    return render(request, template, context)


def _retry_policy(name: str) -> list[str]:
    """The effective retry policy of the task's code, or nothing if it is gone."""
    registry.autodiscover()
    try:
        return retry_summary(registry.get(name))
    except UnknownTask:
        return []
