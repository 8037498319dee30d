"""Operator actions on a schedule: run now, pause, resume (POST only, audited).

They need run_task_now, which the operator role holds: starting or stopping a schedule's
runs is day-to-day operation, like pausing a queue. Creating, changing and deleting
schedules needs manage_schedules (the admin role); see editing.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from dashboard.access import action
from scheduler_core.domain import ScheduleNotFound
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.permissions import RUN_NOW

from .lookup import schedule_service


def _back(request: HttpRequest, name: str) -> HttpResponse:
    """Back to the page the action was taken on: the list, or else the schedule's detail."""
    if request.POST.get("back") == "list":
        url = reverse("dashboard:schedules:list")
    else:
        url = reverse("dashboard:schedules:detail", args=[name])
    return HttpResponseRedirect(url, status=303)


@action(RUN_NOW)
def run_now(request: HttpRequest, name: str) -> HttpResponse:
    """Submit one task for the schedule at once; its next run stays where it was."""
    try:
        task = schedule_service().run_now(name, actor=request.user.get_username())
    except ScheduleNotFound as error:
        raise Http404(f"no schedule is called {name!r}") from error
    audit_request(request, "run_schedule_now", [task], source="dashboard", target=name)
    messages.success(request, f"Schedule {name} ran now: task {task.id} submitted.")
    return _back(request, name)


@action(RUN_NOW)
def pause(request: HttpRequest, name: str) -> HttpResponse:
    """Stop the schedule firing until it is resumed."""
    return _set_enabled(request, name, enabled=False)


@action(RUN_NOW)
def resume(request: HttpRequest, name: str) -> HttpResponse:
    """Let the schedule fire again; runs it missed follow its catch-up policy."""
    return _set_enabled(request, name, enabled=True)


def _set_enabled(request: HttpRequest, name: str, *, enabled: bool) -> HttpResponse:
    try:
        schedule_service().set_enabled(name, enabled)
    except ScheduleNotFound as error:
        raise Http404(f"no schedule is called {name!r}") from error
    audit_request(
        request, "resume_schedule" if enabled else "pause_schedule", source="dashboard", target=name
    )
    messages.success(request, f"Schedule {name} {'resumed' if enabled else 'paused'}.")
    return _back(request, name)
