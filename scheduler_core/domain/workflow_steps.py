"""When a write of a workflow step settles the steps below it."""

from __future__ import annotations

from .status import TaskStatus
from .task import Task

ENDED = frozenset({TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED})
FAILED_FOR_GOOD = frozenset({TaskStatus.FAILED, TaskStatus.CANCELLED})


def ends_step(task: Task, previous: TaskStatus) -> bool:
    """True when writing `task` over a stored step in `previous` ends that step.

    Only a terminal outcome counts: a failed attempt that will be retried is no outcome.
    """
    return task.workflow_id is not None and task.status in ENDED and previous not in ENDED


def rearms_steps(task: Task, previous: TaskStatus) -> bool:
    """True when writing `task` over a stored step in `previous` retries a step that ended badly."""
    return (
        task.workflow_id is not None and previous in FAILED_FOR_GOOD and not task.status.is_terminal
    )
