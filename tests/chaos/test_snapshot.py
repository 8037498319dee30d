"""The checker's SQL reads real scheduler tables (SQLite test database) and the execution log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection

from chaos.invariants import check
from chaos.kinds import KINDS
from chaos.snapshot import load
from scheduler_core.models import TaskErrorRecord, TaskEvent, TaskRecord

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)


def stored_task(status: str, events: list[tuple[str, str, int]], attempt: int) -> TaskRecord:
    """A quick chaos task with its transitions, one second apart from T0."""
    task = TaskRecord.objects.create(
        name=KINDS["quick"].name,
        status=status,
        attempt=attempt,
        max_attempts=25,
        run_after=T0,
        enqueued_at=T0,
        kwargs={"note": "x"},
    )
    for n, (from_status, to_status, number) in enumerate(events, start=1):
        TaskEvent.objects.create(
            task=task,
            from_status=from_status,
            to_status=to_status,
            at=T0 + timedelta(seconds=n),
            attempt=number,
            actor="w1",
        )
    return task


def log_lines(log: Path, task: TaskRecord, rows: list[tuple[str, int, str, float]]) -> None:
    """Execution-log records (execution, attempt, phase, seconds after T0) of one task."""
    with log.open("a") as output:
        for execution, attempt, phase, seconds in rows:
            at = T0.timestamp() + seconds
            if phase == "S":
                output.write(f"S {execution} {task.id.hex} {attempt} 1 w {at}\n")
            else:
                output.write(f"{phase} {execution} {at}\n")


def test_rows_read_from_the_database_are_judged(tmp_path: Path) -> None:
    log = tmp_path / "executions.log"
    good = stored_task("succeeded", [("ready", "running", 1), ("running", "succeeded", 1)], 1)
    log_lines(log, good, [("g1", 1, "S", 1.1), ("g1", 1, "E", 1.5)])
    twice = stored_task(
        "succeeded",
        [
            ("ready", "running", 1),
            ("running", "succeeded", 1),
            ("succeeded", "running", 2),
            ("running", "succeeded", 2),
        ],
        2,
    )
    log_lines(
        log,
        twice,
        [("t1", 1, "S", 1.1), ("t2", 2, "S", 1.2), ("t1", 1, "E", 3.5), ("t2", 2, "E", 3.6)],
    )
    TaskErrorRecord.objects.create(
        task=twice,
        attempt=1,
        exception_type="OperationalError",
        message="database is locked",
        failed_at=T0,
    )
    with connection.cursor() as cursor:
        snapshot = load(cursor, log)
    assert {task.id for task in snapshot.tasks} == {good.id.hex, twice.id.hex}
    assert snapshot.tasks[0].kwargs in ({"note": "x"},)
    result = {name: len(found) for name, found in check(snapshot).items() if found}
    assert result == {
        "no task succeeded twice": 1,
        "no overlapping executions": 1,
        "every transition legal": 1,
        "no 'database is locked' in task errors": 1,
    }
