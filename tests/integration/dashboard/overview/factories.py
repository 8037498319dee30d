"""Task rows and transition-log rows written straight to the table, at chosen times."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler_core.models import TaskEvent, TaskRecord
from scheduler_core.storage.db_clock import DatabaseClock


def db_now(using: str = "default") -> datetime:
    """The database's clock, which the overview reads its windows by."""
    return DatabaseClock(using).now()


def task_row(
    *,
    status: str = "ready",
    queue: str = "default",
    run_after: datetime | None = None,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    using: str = "default",
) -> TaskRecord:
    """One stored task."""
    now = db_now(using)
    return TaskRecord.objects.using(using).create(
        name="demo.tasks.add",
        queue=queue,
        status=status,
        run_after=run_after or now,
        enqueued_at=now - timedelta(hours=2),
        started_at=started_at,
        finished_at=finished_at,
    )


def finished_task(
    *,
    at: datetime,
    status: str = "succeeded",
    waited: float = 0.0,
    queue: str = "default",
    using: str = "default",
) -> TaskRecord:
    """A task that started `waited` seconds after it fell due and finished at `at`."""
    started = at - timedelta(seconds=1)
    task = task_row(
        status=status,
        queue=queue,
        run_after=started - timedelta(seconds=waited),
        started_at=started,
        finished_at=at,
        using=using,
    )
    event(task, "ready", "running", started, using=using)
    event(task, "running", status, at, using=using)
    return task


def event(
    task: TaskRecord, from_status: str, to_status: str, at: datetime, *, using: str = "default"
) -> TaskEvent:
    """One logged transition of `task`."""
    return TaskEvent.objects.using(using).create(
        task=task, from_status=from_status, to_status=to_status, at=at, attempt=1, actor="test"
    )
