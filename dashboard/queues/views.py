"""The dashboard's queue page: each queue's load, and pause, resume, limit and rate actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from dashboard.access import action, page
from dashboard.htmx import HtmxHttpRequest
from scheduler_core.bootstrap import get_services
from scheduler_core.domain import TaskInvalid
from scheduler_core.services.audit import queue_limit_details, queue_rate_details
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.permissions import PAUSE_QUEUE, VIEW

from .board import queue_rows
from .forms import QueueLimitForm, QueueRateForm

TEMPLATE = "dashboard/queues/list.html"


@page(VIEW)
def index(request: HtmxHttpRequest) -> HttpResponse:
    """Every queue: due, scheduled, running, retrying, recent failures, lag, pause and limit."""
    template = f"{TEMPLATE}#queues" if request.htmx else TEMPLATE
    return render(request, template, {"rows": queue_rows(), "live": True})


@action(PAUSE_QUEUE)
def pause(request: HttpRequest, name: str) -> HttpResponse:
    """Stop every worker claiming from the queue; running tasks go on."""
    try:
        changed = get_services().tasks.pause_queue(name)
    except TaskInvalid as error:
        return _refused(request, error)
    audit_request(request, "pause_queue", source="dashboard", target=name)
    note = "Paused" if changed else "Already paused:"
    messages.success(request, f"{note} queue {name}. Workers stop claiming from it.")
    return _back()


@action(PAUSE_QUEUE)
def resume(request: HttpRequest, name: str) -> HttpResponse:
    """Let workers claim from the queue again."""
    try:
        changed = get_services().tasks.resume_queue(name)
    except TaskInvalid as error:
        return _refused(request, error)
    audit_request(request, "resume_queue", source="dashboard", target=name)
    note = "Resumed" if changed else "Was not paused:"
    messages.success(request, f"{note} queue {name}.")
    return _back()


@action(PAUSE_QUEUE)
def limit(request: HttpRequest, name: str) -> HttpResponse:
    """Set or clear the queue's concurrency limit; a bad number is shown next to the field."""
    form = QueueLimitForm(request.POST)
    if not form.is_valid():
        context = {"rows": queue_rows(), "error_queue": name, "error_form": form, "live": False}
        return render(request, TEMPLATE, context, status=400)
    new_limit = form.new_limit()
    try:
        previous = get_services().tasks.set_queue_limit(name, new_limit)
    except TaskInvalid as error:
        return _refused(request, error)
    details = queue_limit_details(new_limit, previous)
    if new_limit is None:
        audit_request(
            request, "clear_queue_limit", source="dashboard", target=name, details=details
        )
        messages.success(request, f"Queue {name} has no concurrency limit now.")
    else:
        audit_request(request, "set_queue_limit", source="dashboard", target=name, details=details)
        tasks = "task" if new_limit == 1 else "tasks"
        messages.success(request, f"At most {new_limit} {tasks} of queue {name} run at once now.")
    return _back()


@action(PAUSE_QUEUE)
def rate(request: HttpRequest, name: str) -> HttpResponse:
    """Set or clear the queue's rate limit; a bad value is shown next to its field."""
    form = QueueRateForm(request.POST)
    if not form.is_valid():
        context = {"rows": queue_rows(), "rate_error_queue": name, "rate_form": form}
        return render(request, TEMPLATE, {**context, "live": False}, status=400)
    new_rate = form.new_rate()
    try:
        previous = get_services().tasks.set_queue_rate(name, new_rate)
    except TaskInvalid as error:
        return _refused(request, error)
    details = queue_rate_details(new_rate, previous)
    if new_rate is None:
        audit_request(request, "clear_queue_rate", source="dashboard", target=name, details=details)
        messages.success(request, f"Queue {name} has no rate limit now.")
    else:
        audit_request(request, "set_queue_rate", source="dashboard", target=name, details=details)
        messages.success(
            request, f"At most {new_rate.describe()} of queue {name}'s tasks start now."
        )
    return _back()


def _refused(request: HttpRequest, error: TaskInvalid) -> HttpResponse:
    """Back to the list with the reason; nothing changed."""
    messages.error(request, f"Nothing changed: {error.message}")
    return _back()


def _back() -> HttpResponse:
    return HttpResponseRedirect(reverse("dashboard:queues:list"), status=303)
