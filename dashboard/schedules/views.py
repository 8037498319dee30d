"""The schedules pages: the list, one schedule's detail, and the live timing preview."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from dashboard.access import page
from scheduler_core.domain import ScheduleInvalid
from scheduler_core.permissions import MANAGE_SCHEDULES, VIEW

from .lookup import HtmxHttpRequest, rows, runs_of, schedule_or_404, schedule_service
from .timing import describe_timing, run_times

LIST_TEMPLATE = "dashboard/schedules/list.html"
DETAIL_TEMPLATE = "dashboard/schedules/detail.html"
PREVIEW_TEMPLATE = "dashboard/schedules/form.html#preview"
RUNS_SHOWN = 25
UPCOMING = 5


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
    }
    return render(request, DETAIL_TEMPLATE, context)


@page(MANAGE_SCHEDULES)
def preview(request: HtmxHttpRequest) -> HttpResponse:
    """The form's timing in words and its next five runs, or the error (an htmx fragment)."""
    cron = request.GET.get("cron", "").strip() or None
    timezone = request.GET.get("timezone", "").strip()
    interval_text = request.GET.get("interval_seconds", "").strip()
    context: dict[str, object] = {"checked": True}
    try:
        interval = int(interval_text) if interval_text else None
    except ValueError:
        context["error"] = "Interval (seconds): enter a whole number."
        return render(request, PREVIEW_TEMPLATE, context)
    try:
        runs = schedule_service().preview(
            cron=cron, interval_seconds=interval, timezone=timezone, count=UPCOMING
        )
    except ScheduleInvalid as error:
        context["error"] = f"{_LABELS.get(error.field, error.field)}: {error.message}"
        return render(request, PREVIEW_TEMPLATE, context)
    context["description"] = describe_timing(cron, interval)
    context["upcoming"] = run_times(runs, timezone)
    context["timezone"] = timezone
    return render(request, PREVIEW_TEMPLATE, context)


_LABELS = {
    "cron": "Cron expression",
    "interval_seconds": "Interval (seconds)",
    "timezone": "Time zone",
}
