"""A task's attempts, rebuilt from its transition log and its recorded errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scheduler_core.domain import Task, TaskError, TaskStatus, TaskTransition


@dataclass(slots=True, kw_only=True)
class Attempt:
    """One run of a task: who ran it, when, how long it waited and ran, and how it ended."""

    number: int
    worker_id: str
    started_at: datetime
    # When the task was enqueued or last went back to waiting before this attempt's claim.
    due_since: datetime
    ended_at: datetime | None = None
    outcome: TaskStatus | None = None
    reason: str = ""
    error: TaskError | None = None
    # Other moves during the attempt, such as a cancel request.
    notes: list[TaskTransition] = field(default_factory=list)

    @property
    def waited(self) -> timedelta:
        """How long the task waited for a worker before this attempt."""
        return max(self.started_at - self.due_since, timedelta(0))

    @property
    def ran(self) -> timedelta | None:
        """How long the attempt ran; None while it still runs."""
        return None if self.ended_at is None else self.ended_at - self.started_at


def attempts_of(task: Task, transitions: Sequence[TaskTransition]) -> list[Attempt]:
    """The task's attempts, oldest first, each with the error it ended with, if any."""
    errors = {error.attempt: error for error in task.errors}
    attempts: list[Attempt] = []
    due_since = task.enqueued_at
    current: Attempt | None = None
    for move in transitions:
        if move.to_status is TaskStatus.RUNNING and move.from_status is not TaskStatus.RUNNING:
            # A claim: the actor of a claim is the worker that made it.
            current = Attempt(
                number=move.attempt,
                worker_id=move.actor,
                started_at=move.at,
                due_since=due_since,
                error=errors.pop(move.attempt, None),
            )
            attempts.append(current)
        elif current is not None and move.from_status is TaskStatus.RUNNING:
            if move.to_status is TaskStatus.RUNNING:
                current.notes.append(move)
            else:
                current.ended_at = move.at
                current.outcome = move.to_status
                current.reason = move.reason
                current = None
        if move.to_status.is_waiting:
            # Waiting again (ready, backing off, delayed): a later wait counts from here.
            due_since = move.at
    # Errors whose claim left no transition (a log pruned or written by an older version).
    for number, error in sorted(errors.items()):
        attempts.append(
            Attempt(
                number=number,
                worker_id=error.worker_id or "",
                started_at=error.failed_at,
                due_since=error.failed_at,
                ended_at=error.failed_at,
                error=error,
            )
        )
    return sorted(attempts, key=lambda attempt: attempt.number)
