"""A workflow's steps written as JSON (a schedule's template), read and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .defaults import DEFAULT_MAX_ATTEMPTS, DEFAULT_QUEUE
from .errors import ScheduleInvalid, TaskInvalid
from .task import Task
from .workflow import StepSpec, check_steps

# The keys a template step may have.
STEP_KEYS = frozenset(
    {
        "key",
        "task",
        "args",
        "kwargs",
        "after",
        "queue",
        "priority",
        "max_attempts",
        "ignore_failure_of",
    }
)
_PROBE_TIME = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateStep:
    """One step of a template, with every option filled in."""

    key: str
    task: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    after: tuple[str, ...] = ()
    queue: str = DEFAULT_QUEUE
    priority: int = 0
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    ignore_failure_of: tuple[str, ...] = ()


def read_template(name: str, raw: object) -> list[TemplateStep]:
    """The steps of a template; ScheduleInvalid("workflow", ...) naming the first bad step."""
    if not isinstance(raw, list) or not raw:
        raise ScheduleInvalid("workflow", "must be a non-empty list of steps")
    steps = [_step(index, item) for index, item in enumerate(raw)]
    try:
        check_steps(
            name,
            [
                StepSpec(key=s.key, after=s.after, ignore_failure_of=s.ignore_failure_of)
                for s in steps
            ],
        )
        for step in steps:
            _check_task_fields(step)
    except TaskInvalid as error:
        raise ScheduleInvalid(f"workflow.{error.field}", error.message) from error
    return steps


def _step(index: int, item: object) -> TemplateStep:
    where = f"workflow[{index}]"
    if not isinstance(item, dict):
        raise ScheduleInvalid(where, "each step is an object with a key and a task")
    unknown = sorted(set(item) - STEP_KEYS)
    if unknown:
        raise ScheduleInvalid(
            where, f"unknown keys {unknown}; expected some of {sorted(STEP_KEYS)}"
        )
    key, task = item.get("key"), item.get("task")
    if not isinstance(key, str) or not isinstance(task, str) or not task:
        raise ScheduleInvalid(where, "needs a string key and a string task")
    for name in ("after", "ignore_failure_of"):
        value = item.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ScheduleInvalid(f"{where}.{name}", "must be a list of step keys")
    queue, priority, attempts = item.get("queue"), item.get("priority"), item.get("max_attempts")
    return TemplateStep(
        key=key,
        task=task,
        args=item.get("args", []),
        kwargs=item.get("kwargs", {}),
        after=tuple(item.get("after", [])),
        queue=DEFAULT_QUEUE if queue is None else queue,
        priority=0 if priority is None else priority,
        max_attempts=DEFAULT_MAX_ATTEMPTS if attempts is None else attempts,
        ignore_failure_of=tuple(item.get("ignore_failure_of", [])),
    )


def _check_task_fields(step: TemplateStep) -> None:
    # The step's task follows a task's own rules: build the task a firing would store.
    try:
        Task.create(
            step.task,
            now=_PROBE_TIME,
            args=step.args,
            kwargs=step.kwargs,
            queue=step.queue,
            priority=step.priority,
            max_attempts=step.max_attempts,
        )
    except TaskInvalid as error:
        field_name = "task" if error.field == "name" else error.field
        raise TaskInvalid(f"steps[{step.key!r}].{field_name}", error.message) from error
