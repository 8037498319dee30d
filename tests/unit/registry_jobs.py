"""A task module outside any app's tasks.py, found through SCHEDULER["TASK_MODULES"]."""

from __future__ import annotations

from scheduler_core.task_backend.definition import task


@task
def nightly_cleanup() -> None:
    """Nothing to clean in a test."""
