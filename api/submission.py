"""Turning an API submit body into the scheduler's SubmitRequest, with the task's defaults."""

from __future__ import annotations

from scheduler_core.domain import TaskInvalid
from scheduler_core.domain.defaults import DEFAULT_MAX_ATTEMPTS
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.registry import registry
from scheduler_core.task_definition import SchedulerTask

from .schemas import SubmitIn


def submit_request(body: SubmitIn) -> SubmitRequest:
    """The request for `body`; UnknownTask for an unregistered name, TaskInvalid for bad args."""
    # Only registry lookups: a name from input is never imported (see registry.py). The
    # first request of a process may come before anything filled the registry.
    registry.autodiscover()
    task = registry.get(body.name)
    try:
        registry.parameters(body.name).bind(*body.args, **body.kwargs)
    except TypeError as error:
        raise TaskInvalid("args", f"do not fit the task's parameters: {error}") from error
    max_attempts = body.max_attempts
    timeout = body.timeout
    unique_key = body.unique_key
    if isinstance(task, SchedulerTask):
        max_attempts = task.max_attempts if max_attempts is None else max_attempts
        timeout = task.timeout if timeout is None else timeout
        if unique_key is None:
            try:
                unique_key = task.unique_key_for(body.args, body.kwargs)
            except Exception as error:
                # The task's own key function refused these arguments: the caller's input.
                raise TaskInvalid("unique_key", f"the key function failed: {error!r}") from error
    return SubmitRequest(
        name=body.name,
        args=body.args,
        kwargs=body.kwargs,
        queue=task.queue_name if body.queue is None else body.queue,
        priority=task.priority if body.priority is None else body.priority,
        run_after=body.run_after,
        max_attempts=DEFAULT_MAX_ATTEMPTS if max_attempts is None else max_attempts,
        timeout=timeout,
        unique_key=unique_key,
    )


def same_payload(request: SubmitRequest, name: str, args: object, kwargs: object) -> bool:
    """True when a task found by unique key runs the same call as `request`."""
    return (request.name, request.args, request.kwargs) == (name, args, kwargs)
