"""Running one attempt of a task inside an executor slot (a child process or a thread)."""

from __future__ import annotations

import logging
import traceback
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.core.signals import setting_changed
from django.db import close_old_connections
from django.dispatch import receiver as connected_to
from django.tasks import TaskResultStatus
from django.tasks.base import TaskError as DjangoTaskError
from django.tasks.base import TaskResult
from django.tasks.signals import task_finished, task_started
from django.utils.json import normalize_json

from scheduler_core.domain import Task, TaskInvalid, UnknownTask
from scheduler_core.domain.json_values import check_json_value
from scheduler_core.task_exceptions import Discard, Snooze

from .codec import Outcome
from .progress_report import ProgressReporter, ProgressSink
from .signal_listeners import started_and_finished_heard
from .soft_limit import bounded_coroutine, soft_limit

logger = logging.getLogger(__name__)


def execute(task: Task, progress: ProgressSink | None = None) -> Outcome:
    """Run the registered function of `task` once and report what happened; never raises.

    `progress` takes the reports of a task that takes a context (none: reports are dropped).
    """
    # Imported here: the registry imports the task modules, which slot start-up preloads.
    from scheduler_core.task_backend.registry import registry
    from scheduler_core.task_results import task_result_from

    try:
        django_task = registry.get(task.name)
    except UnknownTask as error:
        # Nothing is imported from a name that is not registered; no attempt can fix that.
        return _failure(task, error, retryable=False)
    alias = django_task.backend
    sender = _sender_of(django_task)
    # Built for the signals and the task's context; skipped when neither needs it
    # (signal_listeners.py), and then built for a failure only, which is always told.
    heard = started_and_finished_heard(sender)
    task_result: TaskResult[..., Any] | None = None
    if heard or django_task.takes_context:
        task_result = task_result_from(task, django_task, alias)
        if heard:
            _send(task_started, sender, task_result)

    def told() -> TaskResult[..., Any]:
        if task_result is not None:
            return task_result
        return task_result_from(task, django_task, alias)

    reporter = None
    if progress is not None and django_task.takes_context:
        reporter = ProgressReporter(task.id, task.attempt, progress)
    try:
        value = _call(django_task, task_result, task, reporter)
    except BaseException as error:  # the task's own failure, whatever it raised
        outcome = _outcome_of(django_task, task, error)
        _settle(task, told(), outcome, sender, error)
    else:
        try:
            result = _as_json(value)
        except TypeError as error:
            # Another attempt would return the same value: fail for good.
            outcome = _failure(task, error, retryable=False)
            _settle(task, told(), outcome, sender, error)
        else:
            outcome = Outcome(task_id=task.id, attempt=task.attempt, succeeded=True, result=result)
            if heard:
                success = told()
                _finish(success, TaskResultStatus.SUCCESSFUL, value=result)
                _send(task_finished, sender, success, will_retry=False)
    finally:
        # Task code may have opened database connections; don't let them go stale here.
        close_old_connections()
    if reporter is not None:
        # Written with the outcome: a late report of the progress writer is refused then.
        latest = reporter.close()
        if latest is not None:
            outcome = replace(outcome, progress=latest)
    return outcome


# The backend class of each alias, the sender of the signals. django.tasks looks the backend
# up per thread; asked per attempt, that was a twentieth of a no-op's slot CPU (round 20).
_SENDERS: dict[str, type] = {}


def _sender_of(django_task: Any) -> type:
    alias: str = django_task.backend
    sender = _SENDERS.get(alias)
    if sender is None:
        sender = _SENDERS[alias] = type(django_task.get_backend())
    return sender


@connected_to(setting_changed)
def _forget_senders(*, setting: str, **kwargs: Any) -> None:
    """The TASKS setting changed (tests do so): its aliases may name other backends now."""
    if setting == "TASKS":
        _SENDERS.clear()


def _call(
    django_task: Any,
    task_result: TaskResult[..., Any] | None,
    task: Task,
    reporter: ProgressReporter | None,
) -> Any:
    args: list[Any] = list(task.args)
    if django_task.takes_context:
        assert task_result is not None  # built for every task that takes a context
        from scheduler_core.task_backend.context import WorkflowTaskContext

        context = WorkflowTaskContext(
            task_result=task_result,
            workflow_id=task.workflow_id,
            step_key=task.step_key,
            reporter=reporter,
        )
        args.insert(0, context)
    seconds = getattr(django_task, "soft_timeout", None)
    if seconds is None:
        return django_task.call(*args, **task.kwargs)
    if iscoroutinefunction(django_task.func):
        return async_to_sync(bounded_coroutine(django_task.func, seconds))(*args, **task.kwargs)
    with soft_limit(seconds):
        return django_task.call(*args, **task.kwargs)


def _as_json(value: Any) -> Any:
    try:
        normalized = normalize_json(value)
        check_json_value(normalized, "result")
    except (TypeError, ValueError, TaskInvalid) as error:
        # A TypeError, as django.tasks' own backends raise for a value JSON cannot hold.
        raise TypeError(f"the return value cannot be stored as JSON: {error}") from error
    return normalized


def _outcome_of(django_task: Any, task: Task, error: BaseException) -> Outcome:
    """What a raised exception means: a snooze, a discard, or a failure the rules judge."""
    if isinstance(error, Snooze):
        return _failure(task, error, snooze=error.seconds)
    if isinstance(error, Discard):
        return _failure(task, error, retryable=False, discarded=True)
    rules = getattr(django_task, "retry_rules", None)
    if rules is None or rules.empty:
        return _failure(task, error)
    try:
        retryable, retry_in = rules.decide(task.attempt, error)
    except Exception:
        # A broken backoff function must not lose the failure: the worker's policy decides.
        logger.exception("the retry rules of task %s failed; using the default", task.name)
        retryable, retry_in = True, None
    return _failure(task, error, retryable=retryable, retry_in=retry_in)


def _type_name(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"


def _failure(task: Task, error: BaseException, **decision: Any) -> Outcome:
    """The outcome of an attempt that raised `error`; `decision` sets retryable and the rest."""
    return Outcome(
        task_id=task.id,
        attempt=task.attempt,
        succeeded=False,
        exception_type=_type_name(error),
        message=str(error),
        traceback="".join(traceback.format_exception(error)),
        **decision,
    )


def will_retry(task: Task, outcome: Outcome) -> bool:
    """True when the attempt's outcome leads to another attempt (as far as the slot knows)."""
    if outcome.succeeded:
        return False
    if outcome.snooze is not None:
        return True
    return outcome.retryable and not outcome.discarded and task.attempt < task.max_attempts


def _settle(
    task: Task,
    task_result: TaskResult[..., Any],
    outcome: Outcome,
    sender: type,
    error: BaseException,
) -> None:
    """Update the TaskResult and send task_finished; called inside the `except` block, so
    that Django's own receiver logs the failure at ERROR with its exception and traceback."""
    if outcome.snooze is not None:
        # Not a failure: the task waits and runs again. django.tasks calls that READY.
        _finish(task_result, TaskResultStatus.READY)
        object.__setattr__(task_result, "finished_at", None)
    else:
        _finish(task_result, TaskResultStatus.FAILED, error=error)
    _send(task_finished, sender, task_result, will_retry=will_retry(task, outcome))


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
        task_result.errors.append(
            DjangoTaskError(
                exception_class_path=_type_name(error),
                traceback="".join(traceback.format_exception(error)),
            )
        )
    elif status is TaskResultStatus.SUCCESSFUL:
        object.__setattr__(task_result, "_return_value", value)


def _send(signal: Any, sender: type, task_result: TaskResult[..., Any], **extra: Any) -> None:
    # A broken receiver must not decide the task's fate: log it and go on.
    for receiver, response in signal.send_robust(sender=sender, task_result=task_result, **extra):
        if isinstance(response, BaseException):
            logger.error(
                "receiver %r of %s failed for task %s",
                receiver,
                signal,
                task_result.id,
                exc_info=response,
            )
