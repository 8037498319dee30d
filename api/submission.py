"""Turning an API submit body into the scheduler's SubmitRequest, with the task's defaults."""

from __future__ import annotations

from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.web.submit_requests import submit_request as build_submit_request

from .schemas import SubmitIn


def submit_request(body: SubmitIn) -> SubmitRequest:
    """The request for `body`, for the service to judge; UnknownTask for an unregistered name."""
    return build_submit_request(
        body.name,
        body.args,
        body.kwargs,
        queue=body.queue,
        priority=body.priority,
        run_after=body.run_after,
        max_attempts=body.max_attempts,
        timeout=body.timeout,
        unique_key=body.unique_key,
        tags=body.tags,
        result_ttl=body.result_ttl,
    )


def same_payload(request: SubmitRequest, name: str, args: object, kwargs: object) -> bool:
    """True when a task found by unique key runs the same call as `request`."""
    return (request.name, request.args, request.kwargs) == (name, args, kwargs)
