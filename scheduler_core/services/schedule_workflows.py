"""A schedule that starts a workflow: its template read into the steps a firing enqueues."""

from __future__ import annotations

from ..domain import Schedule, ScheduleInvalid, TaskInvalid
from ..domain.ports import TaskCatalog
from ..domain.workflow_template import read_template
from .workflows import StepRequest


def template_requests(schedule: Schedule) -> list[StepRequest]:
    """The steps one firing of a workflow schedule enqueues, as a run named `schedule.task`."""
    return [
        StepRequest(
            key=step.key,
            task=step.task,
            args=list(step.args),
            kwargs=dict(step.kwargs),
            after=step.after,
            queue=step.queue,
            priority=step.priority,
            max_attempts=step.max_attempts,
            ignore_failure_of=step.ignore_failure_of,
        )
        for step in read_template(schedule.task, schedule.workflow)
    ]


def check_template_tasks(schedule: Schedule, catalog: TaskCatalog) -> None:
    """ScheduleInvalid unless every step runs a registered task with arguments that fit it."""
    for step in read_template(schedule.task, schedule.workflow):
        where = f"workflow.steps[{step.key!r}]"
        if not catalog.is_registered(step.task):
            raise ScheduleInvalid(f"{where}.task", f"{step.task!r} is not a registered task")
        try:
            catalog.check_call(step.task, step.args, step.kwargs)
        except TaskInvalid as error:
            raise ScheduleInvalid(f"{where}.{error.field}", error.message) from error
