"""Jobs and outcomes as JSON, the only thing that crosses into an executor slot.

Slots receive plain JSON, never pickles: a slot process cannot be made to run anything but
a registered task by what arrives on its pipe.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from uuid import UUID

from scheduler_core.domain import Task, TaskError, TaskStatus
from scheduler_core.domain.progress import Progress

# Compact, and without the check for cycles: what crosses was read from JSON or checked
# as JSON (a task's arguments, an attempt's result), and cannot hold a cycle.
_dumps = json.JSONEncoder(check_circular=False, separators=(",", ":")).encode


def encode_task(task: Task) -> bytes:
    """The running task as JSON bytes for a slot."""
    return _dumps(_task_json(task)).encode()


def encode_tasks(tasks: Sequence[Task]) -> bytes:
    """Running tasks as one JSON list for a process slot, which runs them in order."""
    return _dumps([_task_json(task) for task in tasks]).encode()


def decode_task(data: bytes) -> Task:
    """The running task a slot received."""
    return _task_of(json.loads(data))


def decode_tasks(data: bytes) -> list[Task]:
    """The running tasks a process slot received in one message."""
    raw = json.loads(data)
    # A task is itself a list (of its fields), which starts with its id, not with a list.
    if not isinstance(raw, list) or not all(isinstance(each, list) for each in raw):
        raise ValueError("a slot expects a JSON list of tasks")
    return [_task_of(each) for each in raw]


# A task crosses as a JSON array of its fields in this order, not as an object: the keys
# were two fifths of its bytes (425 against 251 for a no-op), and writing and reading
# them about a fifth of the encoder's and decoder's time per task (round 20). Both ends
# are the same code: the slots' server is started by the supervisor that writes to them.
TASK_FIELDS = (
    "id",
    "name",
    "args",
    "kwargs",
    "queue",
    "priority",
    "attempt",
    "max_attempts",
    "run_after",
    "enqueued_at",
    "started_at",
    "worker_id",
    "worker_ids",
    "timeout",
    "workflow_id",
    "step_key",
    "errors",
    "requested_run_after",
    "first_started_at",
)


def _task_json(task: Task) -> list[Any]:
    started_at = _iso(task.started_at)
    first = task.first_started_at
    return [
        str(task.id),
        task.name,
        task.args,
        task.kwargs,
        task.queue,
        task.priority,
        task.attempt,
        task.max_attempts,
        task.run_after.isoformat(),
        task.enqueued_at.isoformat(),
        started_at,
        task.worker_id,
        task.worker_ids,
        task.timeout,
        None if task.workflow_id is None else str(task.workflow_id),
        task.step_key,
        [
            [
                e.attempt,
                e.exception_type,
                e.message,
                e.traceback,
                e.failed_at.isoformat(),
                e.worker_id,
            ]
            for e in task.errors
        ],
        _iso(task.requested_run_after),
        # Most tasks are on their first try: their first start is this start.
        started_at if first is None or first == task.started_at else first.isoformat(),
    ]


def _task_of(raw: list[Any]) -> Task:
    # Unpacked by name in TASK_FIELDS' order, not zipped into a dict with them: the dict
    # cost a slot about 2 µs more per task (6.9 against 8.9, round 20's review).
    if len(raw) != len(TASK_FIELDS):
        raise ValueError(f"a task has {len(TASK_FIELDS)} fields, not {len(raw)}")
    (
        task_id,
        name,
        args,
        kwargs,
        queue,
        priority,
        attempt,
        max_attempts,
        run_after,
        enqueued_at,
        started_at,
        worker_id,
        worker_ids,
        timeout,
        workflow_id,
        step_key,
        errors,
        requested_run_after,
        first_started_at,
    ) = raw
    return Task(
        id=UUID(task_id),
        name=name,
        args=args,
        kwargs=kwargs,
        queue=queue,
        priority=priority,
        status=TaskStatus.RUNNING,
        attempt=attempt,
        max_attempts=max_attempts,
        run_after=datetime.fromisoformat(run_after),
        enqueued_at=datetime.fromisoformat(enqueued_at),
        started_at=_from_iso(started_at),
        worker_id=worker_id,
        worker_ids=worker_ids,
        timeout=timeout,
        workflow_id=None if workflow_id is None else UUID(workflow_id),
        step_key=step_key,
        requested_run_after=_from_iso(requested_run_after),
        first_started_at=_from_iso(first_started_at),
        errors=[
            TaskError(
                attempt=number,
                exception_type=kind,
                message=message,
                traceback=trace,
                failed_at=datetime.fromisoformat(failed_at),
                worker_id=by,
            )
            for number, kind, message, trace, failed_at, by in errors
        ],
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What one attempt came to: a JSON result, or an error and whether to retry."""

    task_id: UUID
    attempt: int
    succeeded: bool
    result: Any = None
    exception_type: str = ""
    message: str = ""
    traceback: str = ""
    retryable: bool = True
    # Set by the task's own retry rules: seconds before the next attempt (None: the policy's).
    retry_in: float | None = None
    # The task raised Snooze (seconds to wait, no attempt used) or Discard (failed for good).
    snooze: float | None = None
    discarded: bool = False
    # The attempt's latest progress report, stored with the outcome (tasks that reported).
    progress: Progress | None = None
    # Seconds the attempt's code ran, as its process slot measured it (None: not measured).
    ran: float | None = None

    def encode(self, ran: float | None = None) -> bytes:
        """The outcome as JSON bytes for the supervisor, with the seconds it `ran` if given.

        A JSON array of the fields in their order (as a task's, above), `ran` last."""
        return _dumps(
            [
                str(self.task_id),
                self.attempt,
                self.succeeded,
                self.result,
                self.exception_type,
                self.message,
                self.traceback,
                self.retryable,
                self.retry_in,
                self.snooze,
                self.discarded,
                None if self.progress is None else self.progress.as_json(),
                ran,
            ]
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> Outcome:
        """The outcome a slot sent (unpacked by name, as a task is: see _task_of)."""
        raw = json.loads(data)
        if not isinstance(raw, list) or len(raw) != _OUTCOME_FIELDS:
            raise ValueError(f"an outcome is a JSON list of {_OUTCOME_FIELDS} fields")
        (
            task_id,
            attempt,
            succeeded,
            result,
            exception_type,
            message,
            trace,
            retryable,
            retry_in,
            snooze,
            discarded,
            progress,
            ran,
        ) = raw
        return cls(
            task_id=UUID(task_id),
            attempt=attempt,
            succeeded=succeeded,
            result=result,
            exception_type=exception_type,
            message=message,
            traceback=trace,
            retryable=retryable,
            retry_in=retry_in,
            snooze=snooze,
            discarded=discarded,
            progress=Progress.from_json(progress),
            ran=ran,
        )


# Outcome's fields, each sent in its place.
_OUTCOME_FIELDS = len(fields(Outcome))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _from_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
