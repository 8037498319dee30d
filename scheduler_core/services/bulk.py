"""Operator actions on many tasks at once: the selected ones, or all that match a filter."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from uuid import UUID

from ..domain import (
    InvalidTransition,
    PageRequest,
    StaleTask,
    Task,
    TaskFilter,
    TaskInvalid,
    TaskNotFound,
    TaskStatus,
)
from ..domain.listing import Cursor
from ..domain.status import TERMINAL_STATUSES, WAITING_STATUSES
from .task_service import TaskService

# The most tasks one bulk request touches; a bigger job is split by narrowing the filter.
# It bounds how long one request holds a web worker (each task is its own fenced write).
BULK_LIMIT = 100_000
# Tasks read per keyset page while walking a filter.
BULK_BATCH = 500
# Reasons kept for skipped tasks (the rest are only counted): enough to show an operator.
REASONS_KEPT = 20


class BulkAction(StrEnum):
    """An operator action that can be applied to many tasks."""

    # Cancel waiting tasks; ask the workers of running ones to stop.
    CANCEL = "cancel"
    # Run failed or cancelled tasks again.
    RETRY = "retry"
    # Make scheduled or backing-off tasks due at once.
    RUN_NOW = "run_now"
    # Remove finished tasks and their history.
    DELETE = "delete"

    @property
    def applies_to(self) -> frozenset[TaskStatus]:
        """The statuses a task must be in for the action to apply to it."""
        return APPLIES_TO[self]


APPLIES_TO: dict[BulkAction, frozenset[TaskStatus]] = {
    BulkAction.CANCEL: WAITING_STATUSES | {TaskStatus.RUNNING, TaskStatus.BLOCKED},
    BulkAction.RETRY: frozenset({TaskStatus.FAILED, TaskStatus.CANCELLED}),
    BulkAction.RUN_NOW: frozenset({TaskStatus.SCHEDULED, TaskStatus.RETRYING}),
    BulkAction.DELETE: TERMINAL_STATUSES,
}


@dataclass(frozen=True, slots=True)
class Done:
    """One task the action was applied to, as it is now, and the status it was in before."""

    task: Task
    from_status: TaskStatus


@dataclass(slots=True)
class BulkResult:
    """What a bulk action did: the tasks it changed, how many it skipped, whether it hit the cap."""

    done: list[Done] = field(default_factory=list)
    # Tasks the action did not apply to (wrong state, gone, or changed under us meanwhile).
    skipped: int = 0
    # Why, as "<task id>: <reason>", for the first REASONS_KEPT of them.
    reasons: list[str] = field(default_factory=list)
    # True when the cap stopped the walk before every matching task was seen.
    capped: bool = False

    @property
    def tasks(self) -> list[Task]:
        """The changed tasks."""
        return [item.task for item in self.done]

    @property
    def from_statuses(self) -> frozenset[TaskStatus]:
        """The statuses the changed tasks were in before."""
        return frozenset(item.from_status for item in self.done)

    def skip(self, task_id: UUID, why: object) -> None:
        """Count a task the action did not apply to, and keep why while there is room."""
        self.skipped += 1
        if len(self.reasons) < REASONS_KEPT:
            self.reasons.append(f"{task_id}: {why}")


class BulkActions:
    """Applies cancel, retry, run now or delete to many tasks through the TaskService."""

    def __init__(self, scheduler: TaskService, *, limit: int = BULK_LIMIT) -> None:
        self._scheduler = scheduler
        self._limit = limit

    @property
    def limit(self) -> int:
        """The most tasks one request handles."""
        return self._limit

    def applicable(self, action: BulkAction, task_filter: TaskFilter) -> TaskFilter | None:
        """The filter narrowed to the tasks the action applies to; None when none can match."""
        statuses = action.applies_to
        if task_filter.statuses:
            statuses = statuses & task_filter.statuses
        if not statuses:
            return None
        return replace(task_filter, statuses=statuses)

    def count(self, action: BulkAction, task_filter: TaskFilter) -> int:
        """How many tasks matching the filter the action would apply to now."""
        narrowed = self.applicable(action, task_filter)
        return 0 if narrowed is None else self._scheduler.count(narrowed)

    def apply_to_ids(
        self, action: BulkAction, task_ids: Iterable[UUID], *, actor: str
    ) -> BulkResult:
        """Apply the action to each of these tasks that it applies to; skip and count the rest."""
        ids = list(dict.fromkeys(task_ids))
        if len(ids) > self._limit:
            raise TaskInvalid("ids", f"at most {self._limit:,} tasks per bulk action")
        result = BulkResult()
        for task_id in ids:
            try:
                task = self._scheduler.status(task_id)
            except TaskNotFound as error:
                result.skip(task_id, error)
                continue
            self._apply_one(action, task, actor, result)
        return result

    def apply_to_filter(
        self, action: BulkAction, task_filter: TaskFilter, *, actor: str
    ) -> BulkResult:
        """Apply the action to every task matching the filter that it applies to, up to the cap."""
        result = BulkResult()
        narrowed = self.applicable(action, task_filter)
        if narrowed is None:
            return result
        for seen, task in enumerate(self._walk(narrowed)):
            if seen >= self._limit:
                result.capped = True
                break
            self._apply_one(action, task, actor, result)
        return result

    def _walk(self, task_filter: TaskFilter) -> Iterator[Task]:
        # The cursor is a position in (enqueued_at, id), which no action changes, so the walk
        # neither repeats nor misses a task while the pages behind it are being changed.
        cursor: Cursor | None = None
        while True:
            page = self._scheduler.list(task_filter, PageRequest(limit=BULK_BATCH, after=cursor))
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _apply_one(self, action: BulkAction, task: Task, actor: str, result: BulkResult) -> None:
        if task.status not in action.applies_to:
            allowed = ", ".join(sorted(status.value for status in action.applies_to))
            result.skip(task.id, f"it is {task.status.value}; only {allowed} tasks apply")
            return
        try:
            changed = self._operation(action)(task.id, actor)
        # Another operator or a worker moved or removed the task since it was read.
        except (InvalidTransition, StaleTask, TaskNotFound) as error:
            result.skip(task.id, error)
            return
        result.done.append(Done(changed, task.status))

    def _operation(self, action: BulkAction) -> Callable[[UUID, str], Task]:
        scheduler = self._scheduler
        operations: dict[BulkAction, Callable[[UUID, str], Task]] = {
            BulkAction.CANCEL: lambda task_id, actor: scheduler.cancel(task_id, actor=actor),
            BulkAction.RETRY: lambda task_id, actor: scheduler.retry(task_id, actor=actor),
            BulkAction.RUN_NOW: lambda task_id, actor: scheduler.run_now(task_id, actor=actor),
            # Deletion records no transition, so it needs no actor; the audit log names one.
            BulkAction.DELETE: lambda task_id, actor: scheduler.delete(task_id),
        }
        return operations[action]
