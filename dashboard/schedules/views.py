"""The schedules pages: the list, one schedule's detail, and the live timing preview."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from dashboard.access import page
from dashboard.htmx import HtmxHttpRequest
from scheduler_core.domain.defaults import DEFAULT_MAX_ATTEMPTS, DEFAULT_QUEUE
from scheduler_core.web.permissions import MANAGE_SCHEDULES, VIEW

from .lookup import rows, runs_of, schedule_or_404, schedule_service
from .preview import UPCOMING, preview_context
from .timing import describe_timing, run_times

LIST_TEMPLATE = "dashboard/schedules/list.html"
DETAIL_TEMPLATE = "dashboard/schedules/detail.html"
PREVIEW_TEMPLATE = "dashboard/schedules/form.html#preview"
RUNS_SHOWN = 25


@page(VIEW)
def index(request: HtmxHttpRequest) -> HttpResponse:
    """Every schedule: timing in words, zone, state, next and last run, actions."""
    template = f"{LIST_TEMPLATE}#table" if request.htmx else LIST_TEMPLATE
    return render(request, template, {"rows": rows()})


@page(VIEW)
def detail(request: HtmxHttpRequest, name: str) -> HttpResponse:
    """One schedule: every field, its next five runs, and the tasks it produced."""
    schedule = schedule_or_404(name)
    runs = runs_of(name, RUNS_SHOWN)
    if request.htmx:
        return render(request, f"{DETAIL_TEMPLATE}#live", {"schedule": schedule, "runs": runs})
    upcoming = schedule_service().next_runs(schedule, UPCOMING)
    context = {
        "schedule": schedule,
        "description": describe_timing(schedule.cron, schedule.interval_seconds),
        "upcoming": run_times(upcoming, schedule.timezone),
        "runs": runs,
        "default_max_attempts": DEFAULT_MAX_ATTEMPTS,
        "default_queue": DEFAULT_QUEUE,
    }
    return render(request, DETAIL_TEMPLATE, context)


@page(MANAGE_SCHEDULES)
def preview(request: HtmxHttpRequest) -> HttpResponse:
    """The form's timing in words and its next five runs, or the error (an htmx fragment)."""
    query = request.GET
    context = preview_context(
        query.get("cron", ""), query.get("interval_seconds", ""), query.get("timezone", "")
    )
    return render(request, PREVIEW_TEMPLATE, context)
