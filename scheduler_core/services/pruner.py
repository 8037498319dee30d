"""Retention: finished tasks are deleted after a while so the task table stays small."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain import TaskStatus
from ..domain.ports import Clock, TaskRepository

DEFAULT_PRUNE_BATCH_SIZE = 1000
DEFAULT_SUCCEEDED_RETENTION = timedelta(days=7)
# Failures are kept longer: someone may still be working out why they failed.
DEFAULT_FAILED_RETENTION = timedelta(days=30)
# The per-minute activity behind the overview's charts (which show at most a day).
DEFAULT_ACTIVITY_RETENTION = timedelta(days=30)

_SUCCEEDED_OR_CANCELLED = frozenset({TaskStatus.SUCCEEDED, TaskStatus.CANCELLED})
_FAILED = frozenset({TaskStatus.FAILED})


@dataclass(frozen=True, slots=True, kw_only=True)
class PruneReport:
    """How many finished tasks one pruning pass deleted."""

    succeeded_or_cancelled: int = 0
    failed: int = 0
    # Rows of the per-minute activity rollup (not tasks).
    activity_minutes: int = 0
    # Results dropped because their task's result_ttl ran out (the tasks stay).
    results_expired: int = 0

    @property
    def deleted(self) -> int:
        """All tasks the pass deleted."""
        return self.succeeded_or_cancelled + self.failed


class TaskPruner:
    """Deletes finished tasks past their retention, in batches; never a live task."""

    def __init__(self, *, tasks: TaskRepository, clock: Clock) -> None:
        self._tasks = tasks
        self._clock = clock

    def prune(
        self,
        *,
        succeeded_after: timedelta = DEFAULT_SUCCEEDED_RETENTION,
        failed_after: timedelta = DEFAULT_FAILED_RETENTION,
        activity_after: timedelta = DEFAULT_ACTIVITY_RETENTION,
        batch_size: int = DEFAULT_PRUNE_BATCH_SIZE,
    ) -> PruneReport:
        """Drop results past their result_ttl, then delete finished tasks and the dashboard's
        per-minute activity past their retention."""
        if min(succeeded_after, failed_after, activity_after) < timedelta(0):
            raise ValueError("retention periods must not be negative")
        now = self._clock.now()
        # First the results whose own result_ttl ran out, however long the retention is.
        results_expired = self._expire_results(batch_size)
        return PruneReport(
            succeeded_or_cancelled=self._prune(
                _SUCCEEDED_OR_CANCELLED, now - succeeded_after, batch_size
            ),
            failed=self._prune(_FAILED, now - failed_after, batch_size),
            activity_minutes=self._tasks.prune_activity(now - activity_after),
            results_expired=results_expired,
        )

    def _expire_results(self, batch_size: int) -> int:
        total = 0
        while True:
            expired = self._tasks.expire_results(batch_size)
            total += expired
            if expired < batch_size:
                return total

    def _prune(self, statuses: frozenset[TaskStatus], before: datetime, batch_size: int) -> int:
        total = 0
        # Small batches keep each delete's lock short, so workers claiming meanwhile never stall.
        while True:
            deleted = self._tasks.prune(statuses=statuses, finished_before=before, limit=batch_size)
            total += deleted
            if deleted < batch_size:
                return total
