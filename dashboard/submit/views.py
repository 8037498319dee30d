"""The submit page: choose a registered task, give its arguments and options, run it."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html

from dashboard.access import form_page, page
from scheduler_core.bootstrap import Services, get_services
from scheduler_core.domain import DuplicateTask, Task, TaskInvalid, TaskNotFound, UnknownTask
from scheduler_core.task_backend.registry import registry
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.permissions import SUBMIT
from scheduler_core.web.submit_rate import SubmitRateExceeded, check_submit_rate

from .catalog import TaskInfo, task_info, task_names
from .forms import SubmitForm

TEMPLATE = "dashboard/submit/new.html"
# Fields a GET query (or the no-JavaScript "show details" button) may preset.
_PRESETTABLE = tuple(SubmitForm.base_fields)


@form_page(SUBMIT)
def new(request: HttpRequest) -> HttpResponse:
    """GET shows the form (preset from ?from=<task id> or the query); POST submits the task."""
    services = get_services()
    now = services.clock.now()
    if request.method != "POST":
        return _page(request, SubmitForm(initial=_initial(request, services), now=now))
    if request.POST.get("action") == "show":
        # Only shows the chosen task's details (the no-JavaScript way); nothing is submitted.
        return _page(request, SubmitForm(initial=_preset(request.POST), now=now))
    form = SubmitForm(request.POST, now=now)
    try:
        task = _submit(form, services, request.user.pk)
    except SubmitRateExceeded as error:
        form.add_error(None, error.message)
        response = _page(request, form, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    if task is None:
        return _page(request, form)
    audit_request(request, "submit", [task], source="dashboard")
    messages.success(request, f"Submitted {task.name} as task {task.id}.")
    return HttpResponseRedirect(task_url(task.id), status=303)


@page(SUBMIT)
def signature(request: HttpRequest) -> HttpResponse:
    """The htmx fragment describing the task chosen in the form (?task=<name>)."""
    name = request.GET.get("task", "")
    registry.autodiscover()
    if not registry.is_registered(name):
        return render(request, f"{TEMPLATE}#unknown", {"name": name}, status=404)
    return render(request, f"{TEMPLATE}#signature", {"details": task_info(name)})


def task_url(task_id: UUID) -> str:
    """The task's page."""
    return reverse("dashboard:tasks:detail", args=[task_id])


def _submit(form: SubmitForm, services: Services, user_id: object) -> Task | None:
    """The task the form stored; None, with the reasons on their fields, if none was stored.

    SubmitRateExceeded when the user is over the submit limit (shared with the API), counted
    only once the service found the task valid.
    """
    scheduler = services.tasks
    try:
        if not form.is_valid():
            call = form.call()
            if call is not None:
                # Nothing is submitted with a field wrong, but the call is judged as well, so
                # that every error shows at once.
                scheduler.check_call(*call)
            return None
        submitted = scheduler.submit(
            form.submit_request(), admit=lambda: check_submit_rate(user_id, 1)
        )
    except UnknownTask as error:
        form.add_error("task", str(error))
        return None
    except TaskInvalid as error:
        form.add_domain_error(error)
        return None
    except DuplicateTask:
        form.add_error("unique_key", "Another task took this unique key just now; try again.")
        return None
    if not submitted.created:
        form.add_error("unique_key", _held_key_error(submitted.task))
        return None
    return submitted.task


def _page(request: HttpRequest, form: SubmitForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        TEMPLATE,
        {
            "form": form,
            "details": _chosen(form),
            # The browser may pick its own zone only when nobody chose one yet.
            "guess_zone": not form.is_bound and "time_zone" not in form.initial,
        },
        status=status,
    )


def _chosen(form: SubmitForm) -> TaskInfo | None:
    """The task whose description the page shows: the chosen one, else the first."""
    names = task_names()
    name = form["task"].value()
    if name not in names:
        name = names[0] if names else None
    return task_info(name) if name else None


def _initial(request: HttpRequest, services: Services) -> dict[str, Any]:
    source = request.GET.get("from")
    if source:
        return _copy_of(request, source, services)
    return _preset(request.GET)


def _preset(values: QueryDict) -> dict[str, str]:
    preset = {field: values.get(field) for field in _PRESETTABLE}
    return {field: value for field, value in preset.items() if isinstance(value, str)}


def _copy_of(request: HttpRequest, source: str, services: Services) -> dict[str, Any]:
    """The form's values for running task `source` again (its unique key left out)."""
    try:
        task = services.tasks.status(UUID(source))
    except (ValueError, TaskNotFound):
        messages.error(request, f"There is no task {source} to duplicate.")
        return {}
    if not registry.is_registered(task.name):
        messages.warning(request, f"Task {task.name} is no longer registered; choose another.")
    return {
        "task": task.name,
        "args": _pretty(task.args),
        "kwargs": _pretty(task.kwargs),
        "queue": task.queue,
        "priority": task.priority,
        "max_attempts": task.max_attempts,
    }


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _held_key_error(task: Task) -> str:
    # format_html escapes the key and the name; only our own markup stays markup.
    return format_html(
        'A live task already holds the unique key {}: <a href="{}">{} ({})</a>. '
        "Nothing new was submitted.",
        repr(task.unique_key),
        task_url(task.id),
        task.id,
        task.status,
    )
