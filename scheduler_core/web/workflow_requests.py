"""Turning a caller's steps (API body, schedule template) into checked StepRequests.

Each step takes its registered task's defaults, as a submit does, and its arguments are
checked against the task's signature; a refusal names the step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scheduler_core.domain import TaskInvalid, UnknownTask
from scheduler_core.services import StepRequest
from scheduler_core.task_backend.registry import registry
from scheduler_core.web.submit_requests import submit_request


@dataclass(frozen=True, slots=True, kw_only=True)
class StepInput:
    """One step as a caller wrote it; left-out options take the task's defaults."""

    key: str
    task: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    after: Sequence[str] = ()
    queue: str | None = None
    priority: int | None = None
    max_attempts: int | None = None
    ignore_failure_of: Sequence[str] = ()


def step_requests(steps: Sequence[StepInput]) -> list[StepRequest]:
    """The requests for these steps; UnknownTask or TaskInvalid naming the first bad step."""
    requests = []
    for step in steps:
        try:
            submit = submit_request(
                step.task,
                step.args,
                step.kwargs,
                queue=step.queue,
                priority=step.priority,
                max_attempts=step.max_attempts,
            )
            # Every step is checked before the run is planned, so that a bad step is named
            # before any mistake in how the steps hang together.
            registry.check_call(step.task, step.args, step.kwargs)
        except TaskInvalid as error:
            raise TaskInvalid(f"steps[{step.key!r}].{error.field}", error.message) from error
        except UnknownTask as error:
            raise UnknownTask(f"steps[{step.key!r}]: {error}") from error
        requests.append(
            StepRequest(
                key=step.key,
                task=submit.name,
                args=submit.args,
                kwargs=submit.kwargs,
                after=tuple(step.after),
                queue=submit.queue,
                priority=submit.priority,
                max_attempts=submit.max_attempts,
                timeout=submit.timeout,
                ignore_failure_of=tuple(step.ignore_failure_of),
            )
        )
    return requests
