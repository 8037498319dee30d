"""Creating, changing and deleting schedules: the admin role's (manage_schedules) pages.

Every schedule is checked by the schedule service before anything is stored, so a bad
form saves nothing and shows the API's messages next to the fields at fault.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from dashboard.access import form_page
from scheduler_core.domain import Schedule, ScheduleInvalid, ScheduleNotFound
from scheduler_core.task_backend.registry import registry
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.permissions import MANAGE_SCHEDULES

from .forms import TIMING_FIELDS, ScheduleForm, initial_for, time_zone_names
from .lookup import schedule_or_404, schedule_service
from .preview import preview_context

FORM_TEMPLATE = "dashboard/schedules/form.html"
DELETE_TEMPLATE = "dashboard/schedules/delete.html"


def _form(request: HttpRequest, stored: Schedule | None = None) -> ScheduleForm:
    """The bound (POST) or blank form, for a new schedule or for `stored`."""
    initial = initial_for(stored) if stored is not None else None
    return ScheduleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        service=schedule_service(),
        task_names=registry.names(),
        preview_url=reverse("dashboard:schedules:preview"),
        stored=stored,
    )


def _show(
    request: HttpRequest, form: ScheduleForm, stored: Schedule | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "stored": stored, "time_zones": time_zone_names()}
    # The timing as the form holds it (typed, or stored) is previewed from the start.
    timing = {name: str(form[name].value() or "") for name in TIMING_FIELDS}
    if timing["cron"] or timing["interval_seconds"]:
        context |= preview_context(timing["cron"], timing["interval_seconds"], timing["timezone"])
    return render(request, FORM_TEMPLATE, context, status=status)


def _detail(name: str) -> HttpResponse:
    return HttpResponseRedirect(reverse("dashboard:schedules:detail", args=[name]), status=303)


@form_page(MANAGE_SCHEDULES)
def new(request: HttpRequest) -> HttpResponse:
    """GET: an empty schedule form; POST: create the schedule, or show what is wrong."""
    form = _form(request)
    if request.method != "POST":
        return _show(request, form, None)
    if not form.is_valid():
        return _show(request, form, None, status=422)
    try:
        created = schedule_service().create(form.schedule())
    except ScheduleInvalid as error:
        # The name was free when the form was checked, and taken since.
        form.add_service_error(error)
        return _show(request, form, None, status=422)
    audit_request(request, "create_schedule", source="dashboard", target=created.name)
    messages.success(request, f"Schedule {created.name} created.")
    return _detail(created.name)


@form_page(MANAGE_SCHEDULES)
def edit(request: HttpRequest, name: str) -> HttpResponse:
    """GET: the schedule's form; POST: store the changes, or show what is wrong."""
    stored = schedule_or_404(name)
    form = _form(request, stored)
    if request.method != "POST":
        return _show(request, form, stored)
    if not form.is_valid():
        return _show(request, form, stored, status=422)
    try:
        schedule_service().change(form.schedule())
    except ScheduleNotFound as error:
        raise Http404(f"no schedule is called {name!r}") from error
    audit_request(request, "change_schedule", source="dashboard", target=name)
    messages.success(request, f"Schedule {name} saved.")
    return _detail(name)


@form_page(MANAGE_SCHEDULES)
def delete(request: HttpRequest, name: str) -> HttpResponse:
    """GET asks for confirmation; POST deletes the schedule (the tasks it fired stay)."""
    if request.method != "POST":
        return render(request, DELETE_TEMPLATE, {"schedule": schedule_or_404(name)})
    try:
        schedule_service().delete(name)
    except ScheduleNotFound as error:
        raise Http404(f"no schedule is called {name!r}") from error
    audit_request(request, "delete_schedule", source="dashboard", target=name)
    messages.success(request, f"Schedule {name} deleted.")
    return HttpResponseRedirect(reverse("dashboard:schedules:list"), status=303)
