"""Turning a caller's input (API body or dashboard form) into a SubmitRequest.

The registered task supplies the defaults of every option left out, and its signature decides
whether the arguments fit. The JSON API and the dashboard share this, so both accept the same
submits and answer bad ones with the same messages.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .domain import TaskInvalid
from .domain.defaults import DEFAULT_MAX_ATTEMPTS
from .domain.ports import SubmitRequest
from .registry import registry
from .task_definition import SchedulerTask


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDefaults:
    """The options a submit of a task takes when the caller leaves them out."""

    queue: str
    priority: int
    max_attempts: int
    # Seconds one attempt may run; None waits forever.
    timeout: float | None
    # True when the task derives a unique key from its arguments (or has a fixed one).
    has_unique_key: bool


def task_defaults(name: str) -> TaskDefaults:
    """The defaults of registered task `name`; UnknownTask if there is none."""
    task = registry.get(name)
    # A plain django.tasks Task has no retry options; the scheduler's defaults apply to it.
    if isinstance(task, SchedulerTask):
        return TaskDefaults(
            queue=task.queue_name,
            priority=task.priority,
            max_attempts=task.max_attempts,
            timeout=task.timeout,
            has_unique_key=task.unique_key is not None,
        )
    return TaskDefaults(
        queue=task.queue_name,
        priority=task.priority,
        max_attempts=DEFAULT_MAX_ATTEMPTS,
        timeout=None,
        has_unique_key=False,
    )


def check_arguments(name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Raise TaskInvalid (on "args" or "kwargs") unless the call fits task `name`'s signature."""
    signature = registry.parameters(name)
    # Checked before bind(), which would first complain about a missing argument when the
    # real mistake is a misspelt keyword ({"x": 1} for `a`).
    unexpected = _unexpected_keywords(signature, kwargs)
    if unexpected:
        raise TaskInvalid(
            "kwargs",
            f"do not fit the task's parameters: got an unexpected keyword argument {unexpected!r}",
        )
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        field = "kwargs" if _keyword_at_fault(signature, args, kwargs) else "args"
        raise TaskInvalid(field, f"do not fit the task's parameters: {error}") from error


def submit_request(
    name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    *,
    queue: str | None = None,
    priority: int | None = None,
    run_after: datetime | None = None,
    max_attempts: int | None = None,
    timeout: float | None = None,
    unique_key: str | None = None,
) -> SubmitRequest:
    """The request to run task `name`; UnknownTask if unregistered, TaskInvalid for bad input."""
    # Only registry lookups: a name from input is never imported (see registry.py). The
    # first request of a process may come before anything filled the registry.
    registry.autodiscover()
    task = registry.get(name)
    check_arguments(name, args, kwargs)
    defaults = task_defaults(name)
    if unique_key is None and isinstance(task, SchedulerTask):
        try:
            unique_key = task.unique_key_for(args, kwargs)
        except Exception as error:
            # The task's own key function refused these arguments: the caller's input.
            raise TaskInvalid("unique_key", f"the key function failed: {error!r}") from error
    return SubmitRequest(
        name=name,
        args=args,
        kwargs=kwargs,
        queue=defaults.queue if queue is None else queue,
        priority=defaults.priority if priority is None else priority,
        run_after=run_after,
        max_attempts=defaults.max_attempts if max_attempts is None else max_attempts,
        timeout=defaults.timeout if timeout is None else timeout,
        unique_key=unique_key,
    )


def _unexpected_keywords(signature: inspect.Signature, kwargs: dict[str, Any]) -> str | None:
    """The first keyword no parameter takes, or None."""
    parameters = signature.parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    by_keyword = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return next((key for key in kwargs if key not in by_keyword), None)


def _keyword_at_fault(
    signature: inspect.Signature, args: list[Any], kwargs: dict[str, Any]
) -> bool:
    """True when a keyword argument, not the positional ones, is what breaks the call."""
    parameters = list(signature.parameters.values())
    by_position = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    positional = [p.name for p in parameters if p.kind in by_position]
    if len(args) > len(positional) and not any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return False  # "too many positional arguments"
    taken_by_position = set(positional[: len(args)])
    if any(key in taken_by_position for key in kwargs):
        return True  # "multiple values for argument"
    # "missing a required keyword-only argument"
    return any(
        p.kind is p.KEYWORD_ONLY and p.default is p.empty and p.name not in kwargs
        for p in parameters
    )
