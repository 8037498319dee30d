"""Finished tasks and failed attempts written straight into the tables at chosen times, and
the figures the metrics rollup must give for them, counted from those rows by hand."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from scheduler_core.models import TaskErrorRecord, TaskRecord
from scheduler_core.storage.db_clock import DatabaseClock

NAMES = ("demo.add", "demo.sleep")
QUEUES = ("default", "mail")


@dataclass(frozen=True, slots=True)
class Finished:
    """One task as written: when it finished and how, its run time and wait."""

    name: str
    queue: str
    status: str
    finished_at: datetime
    run: float
    wait: float


def write_history(
    alias: str, ages: list[timedelta], seed: int = 3
) -> tuple[list[Finished], list[tuple[str, str, datetime]]]:
    """A task finished at each age before now (database clock), with random outcomes, run
    times and waits; a failed attempt for each failed task and some succeeded ones."""
    rng = random.Random(seed)
    now = DatabaseClock(alias).now()
    finished: list[Finished] = []
    errors: list[tuple[str, str, datetime]] = []
    tasks, error_rows = [], []
    for age in ages:
        end = now - age
        run = rng.lognormvariate(-1, 1.2)
        wait = rng.lognormvariate(0, 1.5)
        status = rng.choices(["succeeded", "failed", "cancelled"], [8, 2, 1])[0]
        name, queue = rng.choice(NAMES), rng.choice(QUEUES)
        began = end - timedelta(seconds=run)
        claimed = began - timedelta(seconds=0.01)
        due = claimed - timedelta(seconds=wait)
        if status == "cancelled":
            claimed = began = None  # type: ignore[assignment]
            due = end - timedelta(seconds=5)
        task = TaskRecord(
            id=uuid4(),
            name=name,
            queue=queue,
            status=status,
            attempt=1,
            run_after=due,
            enqueued_at=due - timedelta(seconds=1),
            started_at=claimed,
            attempt_started_at=began,
            finished_at=end,
        )
        tasks.append(task)
        if status != "cancelled":
            # The run counts from the stamped start; the wait ends at the claim.
            finished.append(Finished(name, queue, status, end, run, wait + 0.0))
        else:
            finished.append(Finished(name, queue, status, end, math.nan, math.nan))
        if status == "failed" or rng.random() < 0.2:
            failed_at = end - timedelta(seconds=rng.uniform(0, 30))
            error_rows.append(
                TaskErrorRecord(
                    task=task,
                    attempt=1,
                    exception_type="builtins.ValueError",
                    message="boom",
                    failed_at=failed_at,
                )
            )
            errors.append((name, queue, failed_at))
    TaskRecord.objects.using(alias).bulk_create(tasks)
    TaskErrorRecord.objects.using(alias).bulk_create(error_rows)
    return finished, errors


def utc(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, tz=UTC)
