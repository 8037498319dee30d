"""Immutable records a task keeps about its history: attempt errors and state transitions."""

from __future__ import annotations

import traceback as traceback_module
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from .status import TaskStatus

# Exception type recorded when a worker's lease ran out before it reported an outcome.
WORKER_LOST = "WorkerLost"
# The reason recorded when a lost claim is given back: its attempt never started.
CLAIM_DROPPED = "claim dropped before it ran"
# Who moves workflow steps when their parents finish, and why (see docs/workflows.md).
WORKFLOW = "workflow"
PARENTS_SUCCEEDED = "parents succeeded"
UPSTREAM_FAILED = "upstream failed"
REARMED = "upstream retried"
# Exception type recorded when a task ran longer than its timeout.
TIMED_OUT = "TimeoutError"
# Timeline reasons of a snooze (back to wait, no attempt used) and of a discard (failed for
# good at once), followed by the seconds or the task's reason.
SNOOZED = "snoozed"
DISCARDED = "discarded"
# Exception type recorded when a task snoozed more often than MAX_SNOOZES allows.
TOO_MANY_SNOOZES = "TooManySnoozes"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskError:
    """What went wrong in one attempt."""

    attempt: int
    exception_type: str
    message: str
    traceback: str
    failed_at: datetime
    worker_id: str | None = None

    @classmethod
    def from_exception(
        cls, error: BaseException, *, attempt: int, failed_at: datetime, worker_id: str | None
    ) -> TaskError:
        """Capture an exception with its formatted traceback."""
        return cls(
            attempt=attempt,
            exception_type=f"{type(error).__module__}.{type(error).__qualname__}",
            message=str(error),
            traceback="".join(traceback_module.format_exception(error)),
            failed_at=failed_at,
            worker_id=worker_id,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskTransition:
    """One move of one task from a state to another: who, when, and why."""

    task_id: UUID
    from_status: TaskStatus
    to_status: TaskStatus
    at: datetime
    attempt: int
    actor: str
    reason: str = ""
