"""The one place where domain objects and database rows are turned into each other."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from scheduler_core.domain import (
    CatchUp,
    Schedule,
    Task,
    TaskError,
    TaskStatus,
    TaskTransition,
    Worker,
    WorkerLoad,
    WorkerState,
)
from scheduler_core.domain.progress import Progress
from scheduler_core.models import (
    ScheduleRecord,
    TaskErrorRecord,
    TaskEvent,
    TaskRecord,
    WorkerRecord,
    exact_json,
)


def task_values(task: Task) -> dict[str, Any]:
    """Column values of a task row (everything but the id and the error/event tables)."""
    return {
        "name": task.name,
        "args": task.args,
        "kwargs": task.kwargs,
        "queue": task.queue,
        "priority": int(task.priority),
        "status": task.status.value,
        "attempt": task.attempt,
        "max_attempts": task.max_attempts,
        "run_after": task.run_after,
        "enqueued_at": task.enqueued_at,
        "started_at": task.started_at,
        "finished_at": task.finished_at,
        "worker_id": task.worker_id,
        "worker_ids": list(task.worker_ids),
        "lease_expires_at": task.lease_expires_at,
        "result": task.result,
        "timeout": task.timeout,
        "unique_key": task.unique_key,
        "cancel_requested": task.cancel_requested,
        "attempt_started_at": task.attempt_started_at,
        "dropped_claims": task.dropped_claims,
        "workflow_id": task.workflow_id,
        "step_key": task.step_key,
        "parents_left": task.parents_left,
        "upstream_failed": task.upstream_failed,
        "tags": list(task.tags),
        "result_ttl": task.result_ttl,
        "result_expired": task.result_expired,
        "first_started_at": task.first_started_at,
        "requested_run_after": task.requested_run_after,
        "snoozes": task.snoozes,
        "progress": None if task.progress is None else task.progress.as_json(),
    }


# The columns of a task row in the order task_row() gives their values.
TASK_COLUMNS = (
    "id",
    "name",
    "args",
    "kwargs",
    "queue",
    "priority",
    "status",
    "attempt",
    "max_attempts",
    "run_after",
    "enqueued_at",
    "started_at",
    "finished_at",
    "worker_id",
    "worker_ids",
    "lease_expires_at",
    "result",
    "timeout",
    "unique_key",
    "cancel_requested",
    "attempt_started_at",
    "dropped_claims",
    "workflow_id",
    "step_key",
    "parents_left",
    "upstream_failed",
    "tags",
    "result_ttl",
    "result_expired",
    "requested_run_after",
    "first_started_at",
    "snoozes",
    "progress",
)


def task_row(
    task: Task, moment: Callable[[datetime | None], Any], key: Callable[[UUID], Any]
) -> tuple[Any, ...]:
    """A task's column values for raw SQL, in TASK_COLUMNS order, as task_values() holds them.

    JSON columns come as JSON text, encoded as Django's JSONField encodes them (None, the
    empty result, as SQL NULL); `moment` and `key` put datetimes and the id in the form the
    engine keeps them in.
    """
    return (
        key(task.id),
        task.name,
        json_text(task.args),
        json_text(task.kwargs),
        task.queue,
        int(task.priority),
        task.status.value,
        task.attempt,
        task.max_attempts,
        moment(task.run_after),
        moment(task.enqueued_at),
        moment(task.started_at),
        moment(task.finished_at),
        task.worker_id,
        json_text(task.worker_ids),
        moment(task.lease_expires_at),
        None if task.result is None else exact_json.dumps(task.result),
        task.timeout,
        task.unique_key,
        task.cancel_requested,
        moment(task.attempt_started_at),
        task.dropped_claims,
        None if task.workflow_id is None else key(task.workflow_id),
        task.step_key,
        task.parents_left,
        task.upstream_failed,
        json_text(task.tags),
        task.result_ttl,
        task.result_expired,
        moment(task.requested_run_after),
        moment(task.first_started_at),
        task.snoozes,
        None if task.progress is None else exact_json.dumps(task.progress.as_json()),
    )


def json_text(value: list[Any] | dict[str, Any]) -> str:
    """A list or dict as the JSON text Django's JSONField writes for it."""
    # A new task's arguments and worker list are mostly empty: skip the encoder for those.
    if not value:
        return "[]" if type(value) is list else "{}"
    return exact_json.dumps(value)


# TaskRecord's concrete fields by attribute name, in the order of its columns. Each is a
# field of Task of the same name; these are converted on the way, the others taken as loaded.
TASK_ATTNAMES = tuple(field.attname for field in TaskRecord._meta.concrete_fields)
# How the columns that differ from Task's fields become them; the others are taken as loaded.
TASK_CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "status": TaskStatus,
    "worker_ids": list,
    "tags": list,
    "progress": Progress.from_json,
}
_AS_LOADED = tuple(name for name in TASK_ATTNAMES if name not in TASK_CONVERSIONS)


def task_from_record(record: TaskRecord, errors: Iterable[TaskErrorRecord] = ()) -> Task:
    """The domain task a row (and its error rows, in attempt order) stands for."""
    return task_from_columns({name: getattr(record, name) for name in TASK_ATTNAMES}, errors)


def task_from_columns(column: Mapping[str, Any], errors: Iterable[TaskErrorRecord] = ()) -> Task:
    """The domain task of a row's values by attribute name, as its model fields load them
    (a model instance's; storage/raw_tasks.py builds raw rows' tasks the same way)."""
    return Task(
        **{name: column[name] for name in _AS_LOADED},
        **{name: convert(column[name]) for name, convert in TASK_CONVERSIONS.items()},
        errors=[error_from_record(error) for error in errors],
    )


def error_record(task_id: UUID, error: TaskError) -> TaskErrorRecord:
    """A new, unsaved row for one attempt's error."""
    return TaskErrorRecord(
        task_id=task_id,
        attempt=error.attempt,
        exception_type=error.exception_type,
        message=error.message,
        traceback=error.traceback,
        failed_at=error.failed_at,
        worker_id=error.worker_id,
    )


def error_from_record(record: TaskErrorRecord) -> TaskError:
    """The domain error an error row stands for."""
    return TaskError(
        attempt=record.attempt,
        exception_type=record.exception_type,
        message=record.message,
        traceback=record.traceback,
        failed_at=record.failed_at,
        worker_id=record.worker_id,
    )


def event_record(transition: TaskTransition) -> TaskEvent:
    """A new, unsaved row of the transition log."""
    return TaskEvent(
        task_id=transition.task_id,
        from_status=transition.from_status.value,
        to_status=transition.to_status.value,
        at=transition.at,
        attempt=transition.attempt,
        actor=transition.actor[:200],
        reason=transition.reason[:300],
    )


def transition_from_event(event: TaskEvent) -> TaskTransition:
    """The domain transition a log row stands for."""
    return TaskTransition(
        task_id=event.task_id,
        from_status=TaskStatus(event.from_status),
        to_status=TaskStatus(event.to_status),
        at=event.at,
        attempt=event.attempt,
        actor=event.actor,
        reason=event.reason,
    )


def worker_values(worker: Worker) -> dict[str, Any]:
    """Column values of a worker row (everything but the id)."""
    return {
        "hostname": worker.hostname,
        "pid": worker.pid,
        "queues": list(worker.queues),
        "concurrency": worker.concurrency,
        "started_at": worker.started_at,
        "last_heartbeat": worker.last_heartbeat,
        "state": worker.state.value,
        **load_values(worker.load),
    }


def load_values(load: WorkerLoad) -> dict[str, Any]:
    """Column values of what a heartbeat reports."""
    return {"processed": load.processed, "failed": load.failed, "rss_bytes": load.rss_bytes}


def worker_from_record(record: WorkerRecord, active: Collection[UUID] = ()) -> Worker:
    """The domain worker a row stands for, running the tasks `active` (read from the tasks
    it holds: the row keeps no list of them)."""
    return Worker(
        id=record.id,
        hostname=record.hostname,
        pid=record.pid,
        queues=tuple(record.queues),
        concurrency=record.concurrency,
        started_at=record.started_at,
        last_heartbeat=record.last_heartbeat,
        state=WorkerState(record.state),
        active_task_ids=set(active),
        load=WorkerLoad(
            processed=record.processed, failed=record.failed, rss_bytes=record.rss_bytes
        ),
    )


# Everything but the run times, which only advance() and reschedule() write.
_SCHEDULE_DEFINITION = (
    "task",
    "args",
    "kwargs",
    "cron",
    "interval_seconds",
    "timezone",
    "enabled",
    "catch_up",
    "catch_up_limit",
    "queue",
    "priority",
    "max_attempts",
    "workflow",
    "code_hash",
)


def schedule_from_record(record: ScheduleRecord) -> Schedule:
    """The domain schedule a row holds."""
    return Schedule(
        name=record.name,
        **{name: getattr(record, name) for name in _SCHEDULE_DEFINITION if name != "catch_up"},
        catch_up=CatchUp(record.catch_up),
        next_run_at=record.next_run_at,
        last_run_at=record.last_run_at,
    )


def schedule_values(schedule: Schedule) -> dict[str, Any]:
    """The definition columns of a schedule (not its run times)."""
    values = {name: getattr(schedule, name) for name in _SCHEDULE_DEFINITION}
    values["catch_up"] = schedule.catch_up.value
    return values
