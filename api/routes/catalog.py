"""/catalog: the registered tasks, their parameters and submit defaults."""

from __future__ import annotations

import inspect
from typing import Any

from django.http import HttpRequest
from ninja import Router

from scheduler_core.domain.defaults import DEFAULT_MAX_ATTEMPTS
from scheduler_core.task_backend.definition import SchedulerTask
from scheduler_core.task_backend.policy import retry_summary
from scheduler_core.task_backend.registry import registry

from .. import auth
from ..schemas import CatalogEntryOut, ErrorOut

router = Router(tags=["catalog"])


@router.get(
    "/catalog",
    response={200: list[CatalogEntryOut], 401: ErrorOut, 403: ErrorOut},
    summary="List the task catalogue",
)
def catalog(request: HttpRequest) -> list[dict[str, Any]]:
    """Every task that can be submitted, with its parameters and default options."""
    auth.require(request, auth.VIEW)
    registry.autodiscover()
    return [_entry(name) for name in registry.names()]


def _entry(name: str) -> dict[str, Any]:
    task = registry.get(name)
    # A plain django.tasks Task has no retry options; the scheduler's defaults apply to it.
    max_attempts, timeout, soft_timeout = DEFAULT_MAX_ATTEMPTS, None, None
    if isinstance(task, SchedulerTask):
        max_attempts, timeout = task.max_attempts, task.timeout
        soft_timeout = task.soft_timeout
    return {
        "name": name,
        "parameters": [_parameter(p) for p in registry.parameters(name).parameters.values()],
        "queue": task.queue_name,
        "priority": task.priority,
        "max_attempts": max_attempts,
        "timeout": timeout,
        "soft_timeout": soft_timeout,
        "retry_policy": retry_summary(task),
    }


def _parameter(parameter: inspect.Parameter) -> dict[str, Any]:
    empty = inspect.Parameter.empty
    annotation = parameter.annotation
    return {
        "name": parameter.name,
        "kind": parameter.kind.name.lower(),
        "required": parameter.default is empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD),
        "default": None if parameter.default is empty else repr(parameter.default),
        "annotation": None
        if annotation is empty
        else (annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)),
    }
