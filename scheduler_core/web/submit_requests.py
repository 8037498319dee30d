"""Turning a caller's input (API body or dashboard form) into a SubmitRequest.

The registered task supplies the defaults of every option left out. Nothing else is judged
here: the request is marked as typed input, and the scheduler service checks it (signature,
key function, every rule of a task) when it is submitted, the same way for every door.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scheduler_core.domain.defaults import DEFAULT_MAX_ATTEMPTS
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.domain.tags import merge_tags
from scheduler_core.task_backend.definition import SchedulerTask
from scheduler_core.task_backend.registry import registry


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
    # The definition's tags, which every submit carries before its own.
    tags: tuple[str, ...] = ()
    # Seconds the result is kept once the task finished; None: until retention.
    result_ttl: int | None = None


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
            tags=task.tags,
            result_ttl=task.result_ttl,
        )
    return TaskDefaults(
        queue=task.queue_name,
        priority=task.priority,
        max_attempts=DEFAULT_MAX_ATTEMPTS,
        timeout=None,
        has_unique_key=False,
    )


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
    tags: list[str] | None = None,
    result_ttl: int | None = None,
) -> SubmitRequest:
    """The request to run task `name`, for the service to judge; UnknownTask if unregistered."""
    # Only registry lookups: a name from input is never imported (see registry.py). The
    # first request of a process may come before anything filled the registry.
    registry.autodiscover()
    defaults = task_defaults(name)
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
        tags=merge_tags(defaults.tags, tags or ()),
        result_ttl=defaults.result_ttl if result_ttl is None else result_ttl,
        from_input=True,
    )
