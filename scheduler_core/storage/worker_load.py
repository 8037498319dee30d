"""Read-only: the running tasks each worker holds, for the dashboard's worker list."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from scheduler_core.models import TaskRecord

# Far more than any fleet runs at once; the page says when it shows only part.
MAX_RUNNING_SHOWN = 5_000


@dataclass(frozen=True, slots=True)
class HeldTask:
    """A running task and the registered name of what it runs."""

    id: UUID
    name: str


def running_tasks_by_worker(using: str) -> dict[str, list[HeldTask]]:
    """Worker id -> the running tasks it holds, oldest start first (one query)."""
    rows = (
        TaskRecord.objects.using(using)
        .filter(status="running", worker_id__isnull=False)
        .order_by("started_at", "id")
        .values_list("worker_id", "id", "name")[:MAX_RUNNING_SHOWN]
    )
    held: dict[str, list[HeldTask]] = defaultdict(list)
    for worker_id, task_id, name in rows:
        if worker_id is not None:  # excluded by the query; the check informs the type checker
            held[worker_id].append(HeldTask(task_id, name))
    return dict(held)
