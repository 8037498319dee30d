"""The submit page: choose a registered task, give its arguments and options, run it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html

from dashboard.access import form_page, page
from dashboard.audit import audit
from scheduler_core.bootstrap import Services, get_services
from scheduler_core.domain import DuplicateTask, Task, TaskInvalid, TaskNotFound, new_task_id
from scheduler_core.permissions import SUBMIT
from scheduler_core.registry import registry
from scheduler_core.submit_rate import SubmitRateExceeded, check_submit_rate

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
    if form.is_valid():
        try:
            # The same per-user limit as the API's, counted together with it.
            check_submit_rate(request.user.pk, 1)
        except SubmitRateExceeded as error:
            form.add_error(None, error.message)
            response = _page(request, form, status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        task = _submit(form, services)
        if task is not None:
            audit(request, "submit", [task])
            messages.success(request, f"Submitted {task.name} as task {task.id}.")
            return HttpResponseRedirect(task_url(task.id), status=303)
    return _page(request, form)


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


def _submit(form: SubmitForm, services: Services) -> Task | None:
    """The new task for a valid form; None, with the reason on its field, if none was stored."""
    if form.submit_request is None:
        return None
    new_id = new_task_id()
    try:
        task = services.scheduler.submit(replace(form.submit_request, id=new_id))
    except TaskInvalid as error:
        form.add_domain_error(error)
        return None
    except DuplicateTask:
        form.add_error("unique_key", "Another task took this unique key just now; try again.")
        return None
    # The scheduler hands back the live task that holds the unique key instead of storing a
    # second one; only a task with the id we chose is new.
    if task.id != new_id:
        form.add_error("unique_key", _held_key_error(task))
        return None
    return task


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
        task = services.scheduler.status(UUID(source))
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
