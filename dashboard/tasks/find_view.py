"""The search box's target: a task id opens the task, a name or queue the filtered list,
anything else the list searched by argument text; several fits ask which was meant."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from dashboard.access import page
from dashboard.submit.catalog import task_names
from scheduler_core.bootstrap import get_services
from scheduler_core.domain import TaskNotFound

from .finder import find
from .suggestions import known_queues

# The longest text the list's argument search takes.
MAX_TEXT = 200


def _list(**query: str) -> str:
    return f"{reverse('dashboard:tasks:list')}?{urlencode(query)}"


@page()
def find_task(request: HttpRequest) -> HttpResponse:
    """Send the text where it points, or list what it may mean."""
    text = request.GET.get("q", "").strip()[:MAX_TEXT]
    if not text:
        return HttpResponseRedirect(reverse("dashboard:tasks:list"))
    finding = find(text, task_names(), known_queues())
    missing = False
    if finding.task_id is not None:
        try:
            get_services().tasks.status(finding.task_id)
        except TaskNotFound:
            missing = True
        else:
            return HttpResponseRedirect(reverse("dashboard:tasks:detail", args=[finding.task_id]))
    elif len(finding.matches) == 1:
        [match] = finding.matches
        return HttpResponseRedirect(_list(**{match.field: match.value}))
    elif not finding.matches:
        return HttpResponseRedirect(_list(search=text))
    choices = [(match, _list(**{match.field: match.value})) for match in finding.matches]
    context = {
        "text": text,
        "missing": missing,
        "choices": choices,
        "search_url": _list(search=text),
    }
    return render(request, "dashboard/tasks/find.html", context, status=404 if missing else 200)
