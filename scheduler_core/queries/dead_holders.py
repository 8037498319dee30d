"""Read-only: running tasks whose worker no longer renews their lease, for the dashboard.

A running task stays its worker's until its lease ends and a maintenance pass rescues it
(services/rescuer.py). When that worker has exited (declared dead, or stopped) or has gone
silent past the staleness limit, nobody renews the lease: these reads say which tasks wait
for that rescue and when their leases end, on the database clock the rescuer decides by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.db.models import F, Q, QuerySet

from scheduler_core.domain import WorkerState
from scheduler_core.models import TaskRecord, WorkerRecord

from .worker_census import EXITED, STALE


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldByGone:
    """A running task and the silent or exited worker that still holds it."""

    id: UUID
    name: str
    queue: str
    worker_id: str
    # "dead", "stopped", or "stale" (not exited, but silent past the limit).
    worker_state: str
    last_heartbeat: datetime
    lease_expires_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadHolders:
    """Dead workers of late, and the running tasks that gone workers still hold."""

    now: datetime
    # Workers declared dead whose last heartbeat falls within the window asked for.
    dead_workers: int
    # Every running task held by a dead, stopped or stale worker.
    held: int
    # The first of them by lease end (the soonest rescue first), at most the limit asked for.
    soonest: list[HeldByGone]


def dead_holders(
    using: str, now: datetime, *, stale_after: timedelta, dead_since: timedelta, limit: int
) -> DeadHolders:
    """Count recent dead workers and the tasks gone workers hold; list the soonest `limit`.

    `now` is the database's clock, the one the rescuer decides by.
    """
    workers = WorkerRecord.objects.using(using)
    gone = _gone_workers(using, now, stale_after)
    tasks = TaskRecord.objects.using(using).filter(
        status="running", worker_id__in=gone.values("id")
    )
    # NULLS LAST spelled out: PostgreSQL and SQLite order NULLs at opposite ends by default.
    rows = list(
        tasks.order_by(F("lease_expires_at").asc(nulls_last=True), "id").values_list(
            "id", "name", "queue", "worker_id", "lease_expires_at"
        )[:limit]
    )
    holders = {
        worker_id: (state, heartbeat)
        for worker_id, state, heartbeat in gone.filter(id__in={row[3] for row in rows}).values_list(
            "id", "state", "last_heartbeat"
        )
    }
    soonest = []
    for task_id, name, queue, worker_id, lease in rows:
        if worker_id not in holders:  # it beat again between the two reads: no longer gone
            continue
        state, heartbeat = holders[worker_id]
        soonest.append(
            HeldByGone(
                id=task_id,
                name=name,
                queue=queue,
                worker_id=worker_id,
                worker_state=state if state in EXITED else STALE,
                last_heartbeat=heartbeat,
                lease_expires_at=lease,
            )
        )
    return DeadHolders(
        now=now,
        dead_workers=workers.filter(
            state=WorkerState.DEAD.value, last_heartbeat__gte=now - dead_since
        ).count(),
        held=tasks.count(),
        soonest=soonest,
    )


def _gone_workers(using: str, now: datetime, stale_after: timedelta) -> QuerySet[WorkerRecord]:
    # The same line as worker_census draws between live and stale, plus the exited ones.
    return WorkerRecord.objects.using(using).filter(
        Q(state__in=EXITED) | Q(last_heartbeat__lt=now - stale_after)
    )
