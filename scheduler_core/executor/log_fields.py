"""The structured fields of a log line about a task, for `extra=` (see LOG_FORMAT=json)."""

from __future__ import annotations

from typing import Any

from scheduler_core.domain import Task


def task_fields(task: Task, **more: Any) -> dict[str, Any]:
    """Task id, name, queue, attempt and worker id, plus `more` (e.g. duration)."""
    return {
        "task_id": str(task.id),
        "task_name": task.name,
        "queue": task.queue,
        "attempt": task.attempt,
        "worker_id": task.worker_id,
        **more,
    }
