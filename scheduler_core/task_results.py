"""Our stored tasks seen through django.tasks: TaskResult, its status and its errors."""

from __future__ import annotations

from django.tasks import Task, TaskResult, TaskResultStatus
from django.tasks.base import TaskError as DjangoTaskError
from django.tasks.exceptions import InvalidTask, TaskResultDoesNotExist

from scheduler_core import domain
from scheduler_core.domain import TaskStatus
from scheduler_core.domain.records import TIMED_OUT, WORKER_LOST

# django.tasks knows four statuses; docs/state-machine.md explains the mapping.
_STATUSES = {
    # A workflow step waiting for its parents: queued, as far as django.tasks can say.
    TaskStatus.BLOCKED: TaskResultStatus.READY,
    TaskStatus.SCHEDULED: TaskResultStatus.READY,
    TaskStatus.READY: TaskResultStatus.READY,
    TaskStatus.RETRYING: TaskResultStatus.READY,
    TaskStatus.RUNNING: TaskResultStatus.RUNNING,
    TaskStatus.SUCCEEDED: TaskResultStatus.SUCCESSFUL,
    # django.tasks has no cancelled status; the transition log says it was cancelled.
    TaskStatus.FAILED: TaskResultStatus.FAILED,
    TaskStatus.CANCELLED: TaskResultStatus.FAILED,
}


class ResultExpired(TaskResultDoesNotExist):
    """The task finished, but its result_ttl ran out and the pruner dropped the result.

    A TaskResultDoesNotExist, so code written for any django.tasks backend still copes.
    """


def result_expired(task: domain.Task) -> ResultExpired:
    """The error get_result raises for a task whose result expired, saying when and why."""
    finished = "?" if task.finished_at is None else task.finished_at.isoformat()
    return ResultExpired(
        f"the result of task {task.id} expired: it finished at {finished} and its "
        f"result_ttl of {task.result_ttl} s ran out, so the pruner dropped the result"
    )


class WorkerLost(Exception):
    """A worker stopped renewing its lease before it reported the attempt's outcome."""


# Errors the scheduler records itself carry a bare name; django.tasks wants an importable
# class (TaskError.exception_class imports it), so each gets a real one.
_SYNTHETIC_ERRORS = {
    WORKER_LOST: f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
    TIMED_OUT: "builtins.TimeoutError",
}


def task_result_status(status: TaskStatus) -> TaskResultStatus:
    """The django.tasks status a task in `status` reports."""
    return _STATUSES[status]


def task_error_from(error: domain.TaskError) -> DjangoTaskError:
    """One attempt's error as django.tasks reports it."""
    path = _SYNTHETIC_ERRORS.get(error.exception_type, error.exception_type)
    # Synthetic errors have no traceback; without this line their message would be lost.
    traceback = error.traceback or f"{path}: {error.message}\n"
    return DjangoTaskError(exception_class_path=path, traceback=traceback)


def as_enqueued[**P, R](task: domain.Task, django_task: Task[P, R]) -> Task[P, R]:
    """`django_task` with the overrides the stored task was enqueued with, if any.

    Only a task enqueued through `using()` pays for the copy (which validates again).
    """
    if (
        task.priority == django_task.priority
        and task.queue == django_task.queue_name
        and task.requested_run_after == django_task.run_after
    ):
        return django_task
    try:
        return django_task.using(
            priority=task.priority, queue_name=task.queue, run_after=task.requested_run_after
        )
    except InvalidTask:
        # Submitted by name (API, dashboard) to a queue the TASKS setting does not list.
        return django_task


def task_result_from[**P, R](
    task: domain.Task, django_task: Task[P, R], backend_alias: str
) -> TaskResult[P, R]:
    """The django.tasks TaskResult of a stored task, run by `django_task` on `backend_alias`.

    Stable contract (the executor builds task_started/task_finished and TaskContext on it):
    `task` is `django_task` with the priority, queue and run_after the task was enqueued
    with (its `using()` overrides); `started_at` is the start of the first attempt and
    `last_attempted_at` that of the latest; `worker_ids` has one entry per attempt so
    `TaskContext.attempt` equals `task.attempt`; the return value is set only once the
    task succeeded.
    """
    result = TaskResult(
        task=as_enqueued(task, django_task),
        id=str(task.id),
        status=task_result_status(task.status),
        enqueued_at=task.enqueued_at,
        # Rows stored before the first start was kept have only the latest.
        started_at=task.first_started_at or task.started_at,
        finished_at=task.finished_at,
        last_attempted_at=task.started_at,
        args=list(task.args),
        kwargs=dict(task.kwargs),
        backend=backend_alias,
        errors=[task_error_from(error) for error in task.errors],
        worker_ids=list(task.worker_ids),
    )
    if task.status is TaskStatus.SUCCEEDED:
        # TaskResult is frozen and takes no return value in its constructor.
        object.__setattr__(result, "_return_value", task.result)
    return result
