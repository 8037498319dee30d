"""Read-only: the running tasks each worker holds, for the dashboard's worker list and for
each worker's `active_task_ids` (its capacity: WorkerRepository reads)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet

from scheduler_core.models import TaskRecord

# Far more than any fleet runs at once; the page says when it shows only part.
MAX_RUNNING_SHOWN = 5_000


@dataclass(frozen=True, slots=True)
class HeldTask:
    """A running task and the registered name of what it runs."""

    id: UUID
    name: str


def _held(using: str) -> QuerySet[TaskRecord]:
    # Running rows: the partial indexes on running tasks find them without the history.
    return TaskRecord.objects.using(using).filter(status="running", worker_id__isnull=False)


def holdings(using: str, worker_ids: Collection[str]) -> dict[str, set[UUID]]:
    """worker id -> ids of every running task it holds, for these workers (absent: none).

    A worker's capacity is what the tasks say, not a list kept on its row, which each claim
    would have to rewrite in the same transaction.
    """
    if not worker_ids:
        return {}
    held: dict[str, set[UUID]] = defaultdict(set)
    for worker_id, task_id in (
        _held(using).filter(worker_id__in=list(worker_ids)).values_list("worker_id", "id")
    ):
        if worker_id is not None:
            held[worker_id].add(task_id)
    return dict(held)


def running_tasks_by_worker(using: str) -> dict[str, list[HeldTask]]:
    """Worker id -> the running tasks it holds, oldest start first (one query)."""
    rows = (
        _held(using)
        .order_by("started_at", "id")
        .values_list("worker_id", "id", "name")[:MAX_RUNNING_SHOWN]
    )
    held: dict[str, list[HeldTask]] = defaultdict(list)
    for worker_id, task_id, name in rows:
        if worker_id is not None:  # excluded by the query; the check informs the type checker
            held[worker_id].append(HeldTask(task_id, name))
    return dict(held)
