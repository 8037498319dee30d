"""Workers and the running tasks they hold, written straight to a database at chosen times."""

from __future__ import annotations

from datetime import timedelta

from scheduler_core.models import TaskRecord, WorkerRecord
from scheduler_core.storage.db_clock import DatabaseClock


def worker_row(alias: str, worker_id: str, state: str, *, silent: float) -> WorkerRecord:
    """A worker whose last heartbeat came `silent` seconds ago by the database clock."""
    now = DatabaseClock(alias).now()
    return WorkerRecord.objects.using(alias).create(
        id=worker_id,
        hostname="host",
        pid=1,
        queues=["default"],
        concurrency=4,
        started_at=now - timedelta(hours=3),
        last_heartbeat=now - timedelta(seconds=silent),
        state=state,
    )


def held_task(
    alias: str,
    worker_id: str,
    *,
    lease_in: float,
    attempt: int = 1,
    max_attempts: int = 3,
    cancel_requested: bool = False,
    name: str = "demo.tasks.add",
    started: bool = True,
) -> TaskRecord:
    """A task running under `worker_id`, its lease ending `lease_in` seconds from now.

    Its attempt's code started a minute ago, unless not `started` (a claim still waiting).
    """
    now = DatabaseClock(alias).now()
    return TaskRecord.objects.using(alias).create(
        name=name,
        status="running",
        attempt=attempt,
        max_attempts=max_attempts,
        run_after=now - timedelta(minutes=10),
        enqueued_at=now - timedelta(minutes=10),
        started_at=now - timedelta(minutes=1),
        worker_id=worker_id,
        worker_ids=[worker_id],
        lease_expires_at=now + timedelta(seconds=lease_in),
        cancel_requested=cancel_requested,
        attempt_started_at=now - timedelta(minutes=1) if started else None,
    )
