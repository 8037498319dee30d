"""Read-decide-write on one task, retried when a concurrent writer got there first."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from ..domain import StaleTask, Task
from ..domain.ports import TaskRepository

# A task changes state a handful of times in its life, so a few re-reads always settle it;
# more would only hide a writer that keeps clobbering the row.
MAX_STALE_RETRIES = 5


def change_task(
    tasks: TaskRepository,
    task_id: UUID,
    change: Callable[[Task], None],
    *,
    tries: int = MAX_STALE_RETRIES,
) -> Task:
    """Apply `change` to the stored task and save it fenced; re-read and re-decide if it moved."""
    last_error: StaleTask | None = None
    for _ in range(tries):
        task = tasks.get(task_id)
        expected_status, expected_attempt = task.status, task.attempt
        # The change decides from the state just read, so a retry may take another branch
        # (a task claimed meanwhile is now running and gets a cancel request instead).
        change(task)
        try:
            tasks.update(task, expected_status=expected_status, expected_attempt=expected_attempt)
        except StaleTask as error:
            last_error = error
            continue
        return task
    message = f"task {task_id} kept changing under us; gave up after {tries} tries"
    raise StaleTask(message) from last_error
