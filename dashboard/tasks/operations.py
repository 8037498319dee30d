"""The operator actions of the tasks pages: who may take each, and on which tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.models import AnonymousUser, PermissionsMixin

from scheduler_core.domain import Task
from scheduler_core.services import TaskService
from scheduler_core.services.bulk import BulkAction
from scheduler_core.web import permissions


@dataclass(frozen=True, slots=True)
class Operation:
    """How the pages present one action and which permission it needs."""

    action: BulkAction
    permission: str
    label: str
    # For messages: "3 tasks cancelled".
    done: str
    danger: bool = False
    confirm: str = ""

    def applies_to(self, task: Task) -> bool:
        """True when the action makes sense for the task's current state."""
        if self.action is BulkAction.CANCEL and task.cancel_requested:
            # Its worker has been asked already; asking again changes nothing.
            return False
        return task.status in self.action.applies_to

    def run(self, scheduler: TaskService, task_id: UUID, actor: str) -> Task:
        """Take the action on one task through the service."""
        calls: dict[BulkAction, Callable[[], Task]] = {
            BulkAction.CANCEL: lambda: scheduler.cancel(task_id, actor=actor),
            BulkAction.RETRY: lambda: scheduler.retry(task_id, actor=actor),
            BulkAction.RUN_NOW: lambda: scheduler.run_now(task_id, actor=actor),
            BulkAction.DELETE: lambda: scheduler.delete(task_id),
        }
        return calls[self.action]()


OPERATIONS: dict[BulkAction, Operation] = {
    BulkAction.CANCEL: Operation(
        BulkAction.CANCEL,
        permissions.CANCEL,
        "Cancel",
        "cancelled (a running task stops when its worker confirms)",
        danger=True,
        confirm="Cancel this task?",
    ),
    BulkAction.RETRY: Operation(BulkAction.RETRY, permissions.RETRY, "Retry", "queued again"),
    BulkAction.RUN_NOW: Operation(
        BulkAction.RUN_NOW, permissions.RUN_NOW, "Run now", "made due now"
    ),
    BulkAction.DELETE: Operation(
        BulkAction.DELETE,
        permissions.DELETE,
        "Delete",
        "deleted",
        danger=True,
        confirm="Delete this task and its history for good?",
    ),
}


def operation_named(name: str) -> Operation | None:
    """The operation of an action name from a URL or a form; None for an unknown name."""
    try:
        return OPERATIONS[BulkAction(name)]
    except ValueError:
        return None


def allowed(user: PermissionsMixin | AnonymousUser) -> list[Operation]:
    """The operations the user holds the permission for."""
    return [op for op in OPERATIONS.values() if user.has_perm(op.permission)]


def available(task: Task, user: PermissionsMixin | AnonymousUser) -> list[Operation]:
    """The operations the user may take on the task in its current state."""
    return [op for op in allowed(user) if op.applies_to(task)]
