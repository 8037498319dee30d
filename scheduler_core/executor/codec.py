"""Jobs and outcomes as JSON, the only thing that crosses into an executor slot.

Slots receive plain JSON, never pickles: a slot process cannot be made to run anything but
a registered task by what arrives on its pipe.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from scheduler_core.domain import Task, TaskError, TaskStatus
from scheduler_core.domain.progress import Progress


def encode_task(task: Task) -> bytes:
    """The running task as JSON bytes for a slot."""
    return json.dumps(_task_json(task)).encode()


def encode_tasks(tasks: Sequence[Task]) -> bytes:
    """Running tasks as one JSON list for a process slot, which runs them in order."""
    return json.dumps([_task_json(task) for task in tasks]).encode()


def decode_task(data: bytes) -> Task:
    """The running task a slot received."""
    return _task_of(json.loads(data))


def decode_tasks(data: bytes) -> list[Task]:
    """The running tasks a process slot received in one message."""
    raw = json.loads(data)
    if not isinstance(raw, list):
        raise ValueError("a slot expects a JSON list of tasks")
    return [_task_of(each) for each in raw]


def _task_json(task: Task) -> dict[str, Any]:
    raw = {
        "id": str(task.id),
        "name": task.name,
        "args": task.args,
        "kwargs": task.kwargs,
        "queue": task.queue,
        "priority": task.priority,
        "attempt": task.attempt,
        "max_attempts": task.max_attempts,
        "run_after": task.run_after.isoformat(),
        "enqueued_at": task.enqueued_at.isoformat(),
        "started_at": _iso(task.started_at),
        "worker_id": task.worker_id,
        "worker_ids": task.worker_ids,
        "timeout": task.timeout,
        "workflow_id": None if task.workflow_id is None else str(task.workflow_id),
        "step_key": task.step_key,
        "errors": [
            {
                "attempt": e.attempt,
                "exception_type": e.exception_type,
                "message": e.message,
                "traceback": e.traceback,
                "failed_at": e.failed_at.isoformat(),
                "worker_id": e.worker_id,
            }
            for e in task.errors
        ],
    }
    # Only when they tell something: most tasks were due at once and are on their first try.
    if task.requested_run_after is not None:
        raw["requested_run_after"] = task.requested_run_after.isoformat()
    if task.first_started_at is not None and task.first_started_at != task.started_at:
        raw["first_started_at"] = task.first_started_at.isoformat()
    return raw


def _task_of(raw: dict[str, Any]) -> Task:
    return Task(
        id=UUID(raw["id"]),
        name=raw["name"],
        args=raw["args"],
        kwargs=raw["kwargs"],
        queue=raw["queue"],
        priority=raw["priority"],
        status=TaskStatus.RUNNING,
        attempt=raw["attempt"],
        max_attempts=raw["max_attempts"],
        run_after=datetime.fromisoformat(raw["run_after"]),
        enqueued_at=datetime.fromisoformat(raw["enqueued_at"]),
        started_at=_from_iso(raw["started_at"]),
        worker_id=raw["worker_id"],
        worker_ids=raw["worker_ids"],
        timeout=raw["timeout"],
        workflow_id=None if raw.get("workflow_id") is None else UUID(raw["workflow_id"]),
        step_key=raw.get("step_key"),
        requested_run_after=_from_iso(raw.get("requested_run_after")),
        first_started_at=_from_iso(raw.get("first_started_at", raw["started_at"])),
        errors=[
            TaskError(
                attempt=e["attempt"],
                exception_type=e["exception_type"],
                message=e["message"],
                traceback=e["traceback"],
                failed_at=datetime.fromisoformat(e["failed_at"]),
                worker_id=e["worker_id"],
            )
            for e in raw["errors"]
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
        """The outcome as JSON bytes for the supervisor, with the seconds it `ran` if given."""
        raw = {
            "task_id": str(self.task_id),
            "attempt": self.attempt,
            "succeeded": self.succeeded,
            "result": self.result,
            "exception_type": self.exception_type,
            "message": self.message,
            "traceback": self.traceback,
            "retryable": self.retryable,
        }
        # Only when set: the common outcome stays as small as it was.
        if self.retry_in is not None:
            raw["retry_in"] = self.retry_in
        if self.snooze is not None:
            raw["snooze"] = self.snooze
        if self.discarded:
            raw["discarded"] = True
        if self.progress is not None:
            raw["progress"] = self.progress.as_json()
        if ran is not None:
            raw["ran"] = ran
        return json.dumps(raw).encode()

    @classmethod
    def decode(cls, data: bytes) -> Outcome:
        """The outcome a slot sent."""
        raw = json.loads(data)
        if "progress" in raw:
            raw["progress"] = Progress.from_json(raw["progress"])
        return cls(**{**raw, "task_id": UUID(raw["task_id"])})


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _from_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
