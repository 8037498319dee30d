"""The rule every repository applies to a write of a running task, beyond its attempt."""

from __future__ import annotations

from .status import TaskStatus
from .task import Task


def loses_cancel_request(stored: Task, written: Task) -> bool:
    """True when writing `written` over `stored` would drop a running task's cancel request.

    A worker writes its outcome from a copy read before an operator may have asked to
    cancel; the write must not silently clear that request.
    """
    return (
        stored.status is TaskStatus.RUNNING
        and stored.cancel_requested
        and not written.cancel_requested
    )
