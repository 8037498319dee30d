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
    # When the worker claimed the attempt.
    started_at: datetime
    # When the task fell due before this claim; None when the log does not tell (a delayed
    # or backing-off task claimed straight away: its due time lived only in run_after).
    due_at: datetime | None
    # When the attempt's code began (after the claim waited in the worker); None unrecorded.
    body_started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: TaskStatus | None = None
    reason: str = ""
    error: TaskError | None = None
    # Other moves during the attempt, such as a cancel request.
    notes: list[TaskTransition] = field(default_factory=list)

    @property
    def waited(self) -> timedelta | None:
        """From due to claim, as the overview's queue wait counts it; None when unknown."""
        if self.due_at is None:
            return None
        return max(self.started_at - self.due_at, timedelta(0))

    @property
    def ran(self) -> timedelta | None:
        """Time inside the task's code, from its recorded start; None while it runs.

        Without a recorded start (an attempt that began and ended between two writes of
        its worker's outcome writer, or an earlier attempt, whose start the next claim
        cleared) it is measured from the claim, an upper bound: see `ran_is_bound`.
        """
        if self.ended_at is None:
            return None
        began = self.body_started_at or self.started_at
        return max(self.ended_at - began, timedelta(0))

    @property
    def ran_is_bound(self) -> bool:
        """True when `ran` counts from the claim, so includes the wait in the worker."""
        return self.body_started_at is None


def attempts_of(task: Task, transitions: Sequence[TaskTransition]) -> list[Attempt]:
    """The task's attempts, oldest first, each with the error it ended with, if any."""
    errors = {error.attempt: error for error in task.errors}
    attempts: list[Attempt] = []
    # The moment the task last became ready (submitted due, promoted, run now, retried by
    # hand). A claim straight from a delayed state (scheduled, backing off) fell due at a
    # run_after the log does not keep.
    due_at = task.enqueued_at
    current: Attempt | None = None
    for move in transitions:
        if move.to_status is TaskStatus.RUNNING and move.from_status is not TaskStatus.RUNNING:
            # A claim: the actor of a claim is the worker that made it.
            current = Attempt(
                number=move.attempt,
                worker_id=move.actor,
                started_at=move.at,
                due_at=due_at if move.from_status is TaskStatus.READY else None,
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
        if move.to_status is TaskStatus.READY and move.from_status is not TaskStatus.READY:
            # Ready means due: a promotion comes when run_after has passed, at most one
            # maintenance pass later (the overview's wait counts from run_after itself).
            due_at = move.at
    # Errors whose claim left no transition (a log pruned or written by an older version).
    for number, error in sorted(errors.items()):
        attempts.append(
            Attempt(
                number=number,
                worker_id=error.worker_id or "",
                started_at=error.failed_at,
                due_at=None,
                ended_at=error.failed_at,
                error=error,
            )
        )
    _use_the_row(task, attempts)
    return sorted(attempts, key=lambda attempt: attempt.number)


def _use_the_row(task: Task, attempts: list[Attempt]) -> None:
    """The task row's exact facts about its latest attempt: due time and start of its code.

    run_after is the latest claim's due time unless the task waits again now (then it is
    the next attempt's); attempt_started_at is the latest attempt's start, if stamped.
    """
    latest = max(attempts, key=lambda attempt: attempt.number, default=None)
    if latest is None or latest.number != task.attempt:
        return
    latest.body_started_at = task.attempt_started_at
    if not task.status.is_waiting:
        latest.due_at = min(task.run_after, latest.started_at)
