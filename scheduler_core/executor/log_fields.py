"""The structured fields of a log line about a task, for `extra=` (see LOG_FORMAT=json)."""

from __future__ import annotations

import logging
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


def log_outcome(
    logger: logging.Logger, task: Task, succeeded: bool, exception_type: str, duration: float
) -> None:
    """Log an attempt's end: failures at WARNING, successes at INFO (built only if shown)."""
    if not succeeded:
        # An operator's business at the WARNING level busy workers run at.
        logger.warning(
            "task %s raised %s in %.3fs",
            task.id,
            exception_type,
            duration,
            extra=task_fields(task, duration=round(duration, 6)),
        )
    elif logger.isEnabledFor(logging.INFO):
        # Not built at all at the WARNING level busy workers run at.
        logger.info(
            "task %s succeeded in %.3fs",
            task.id,
            duration,
            extra=task_fields(task, duration=round(duration, 6)),
        )
