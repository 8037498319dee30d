"""Running one attempt of a task inside an executor slot (a child process or a thread)."""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime
from typing import Any

from django.db import close_old_connections
from django.tasks import TaskResultStatus
from django.tasks.base import TaskError as DjangoTaskError
from django.tasks.base import TaskResult
from django.tasks.signals import task_finished, task_started
from django.utils.json import normalize_json

from scheduler_core.domain import Task, TaskInvalid, UnknownTask
from scheduler_core.domain.json_values import check_json_value

from .codec import Outcome

logger = logging.getLogger(__name__)


def execute(task: Task) -> Outcome:
    """Run the registered function of `task` once and report what happened; never raises."""
    # Imported here: the registry imports the task modules, which slot start-up preloads.
    from scheduler_core.registry import registry
    from scheduler_core.task_results import task_result_from

    try:
        django_task = registry.get(task.name)
    except UnknownTask as error:
        # Nothing is imported from a name that is not registered; no attempt can fix that.
        return _failure(task, error, retryable=False)
    backend = django_task.get_backend()
    task_result = task_result_from(task, django_task, backend.alias)
    _send(task_started, type(backend), task_result)
    try:
        value = _call(django_task, task_result, task)
        result = _as_json(value)
    except BaseException as error:  # the task's own failure, whatever it raised
        outcome = _failure(task, error, retryable=not isinstance(error, ResultNotJSON))
        _finish(task_result, TaskResultStatus.FAILED, error=error)
    else:
        outcome = Outcome(task_id=task.id, attempt=task.attempt, succeeded=True, result=result)
        _finish(task_result, TaskResultStatus.SUCCESSFUL, value=result)
    finally:
        # Task code may have opened database connections; don't let them go stale here.
        close_old_connections()
    _send(task_finished, type(backend), task_result)
    return outcome


class ResultNotJSON(TypeError):
    """The task returned something that cannot be stored as JSON."""


def _call(django_task: Any, task_result: TaskResult[..., Any], task: Task) -> Any:
    if django_task.takes_context:
        from scheduler_core.workflow_context import WorkflowTaskContext

        context = WorkflowTaskContext(
            task_result=task_result, workflow_id=task.workflow_id, step_key=task.step_key
        )
        return django_task.call(context, *task.args, **task.kwargs)
    return django_task.call(*task.args, **task.kwargs)


def _as_json(value: Any) -> Any:
    try:
        normalized = normalize_json(value)
        check_json_value(normalized, "result")
    except (TypeError, ValueError, TaskInvalid) as error:
        raise ResultNotJSON(f"the return value cannot be stored as JSON: {error}") from error
    return normalized


def _failure(task: Task, error: BaseException, *, retryable: bool) -> Outcome:
    kind = type(error)
    return Outcome(
        task_id=task.id,
        attempt=task.attempt,
        succeeded=False,
        exception_type=f"{kind.__module__}.{kind.__qualname__}",
        message=str(error),
        traceback="".join(traceback.format_exception(error)),
        retryable=retryable,
    )


def _finish(
    task_result: TaskResult[..., Any],
    status: TaskResultStatus,
    *,
    value: Any = None,
    error: BaseException | None = None,
) -> None:
    # TaskResult is frozen; Django's own backends update it the same way.
    object.__setattr__(task_result, "status", status)
    object.__setattr__(task_result, "finished_at", datetime.now(UTC))
    if error is not None:
        kind = type(error)
        task_result.errors.append(
            DjangoTaskError(
                exception_class_path=f"{kind.__module__}.{kind.__qualname__}",
                traceback="".join(traceback.format_exception(error)),
            )
        )
    else:
        object.__setattr__(task_result, "_return_value", value)


def _send(signal: Any, sender: type, task_result: TaskResult[..., Any]) -> None:
    # A broken receiver must not decide the task's fate: log it and go on.
    for receiver, response in signal.send_robust(sender=sender, task_result=task_result):
        if isinstance(response, BaseException):
            logger.error(
                "receiver %r of %s failed for task %s",
                receiver,
                signal,
                task_result.id,
                exc_info=response,
            )
