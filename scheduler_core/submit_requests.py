"""Turning a caller's input (API body or dashboard form) into a SubmitRequest.

The registered task supplies the defaults of every option left out, and its signature decides
whether the arguments fit. The JSON API and the dashboard share this, so both accept the same
submits and answer bad ones with the same messages.
"""

from __future__ import annotations

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
    registry.check_call(name, args, kwargs)


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
