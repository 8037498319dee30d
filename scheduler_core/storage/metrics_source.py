"""Counting finished tasks and failed attempts of a stretch of time straight from the task
and error tables, per minute, task name and queue: what the rollup stores, and what a page
adds on read for the minutes the rollup has not reached yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from scheduler_core.domain.task_metrics import MINUTE, TaskMetrics, stretch_start
from scheduler_core.models import TaskErrorRecord, TaskRecord

FINISHED = ("succeeded", "failed", "cancelled")


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """Which tasks to count: one task name, one queue, or (both None) every task."""

    name: str | None = None
    queue: str | None = None


# (minute start, queue, task name) -> what happened then.
MinuteKey = tuple[int, str, str]


def moment(unix: int) -> datetime:
    """A Unix time as an aware datetime."""
    return datetime.fromtimestamp(unix, tz=UTC)


def minutes_between(using: str, start: int, end: int, scope: Scope) -> dict[MinuteKey, TaskMetrics]:
    """What finished in [start, end) (Unix times), by minute, queue and task name.

    Finished tasks are read through the index on finished_at, failed attempts through the
    error rows' index on failed_at. A task's run time is its last attempt's, from the start
    its worker stamped (or, when none was stamped, from the claim) to its end; its wait is
    from when that attempt fell due to its claim.
    """
    found: dict[MinuteKey, TaskMetrics] = {}

    def bucket(at: datetime, queue: str, name: str) -> TaskMetrics:
        key = (stretch_start(int(at.timestamp()), MINUTE), queue, name)
        metrics = found.get(key)
        if metrics is None:
            metrics = found[key] = TaskMetrics()
        return metrics

    tasks = TaskRecord.objects.using(using).filter(
        finished_at__gte=moment(start), finished_at__lt=moment(end), status__in=FINISHED
    )
    errors = TaskErrorRecord.objects.using(using).filter(
        failed_at__gte=moment(start), failed_at__lt=moment(end)
    )
    if scope.name is not None:
        tasks = tasks.filter(name=scope.name)
        errors = errors.filter(task__name=scope.name)
    if scope.queue is not None:
        tasks = tasks.filter(queue=scope.queue)
        errors = errors.filter(task__queue=scope.queue)
    rows = tasks.order_by().values_list(
        "finished_at", "queue", "name", "status", "run_after", "started_at", "attempt_started_at"
    )
    for finished, queue, name, status, due, claimed, began in rows.iterator(chunk_size=5000):
        if finished is None:  # excluded by the filter; this tells the type checker
            continue
        run = wait = None
        if status != "cancelled" and claimed is not None:
            run = (finished - (began or claimed)).total_seconds()
            wait = (claimed - due).total_seconds()
        bucket(finished, queue, name).record_finish(status, run, wait)
    failures = errors.order_by().values_list("failed_at", "task__queue", "task__name")
    for failed_at, queue, name in failures.iterator(chunk_size=5000):
        bucket(failed_at, queue, name).failed_attempts += 1
    return found
