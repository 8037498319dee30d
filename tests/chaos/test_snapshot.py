"""The checker's SQL reads real scheduler tables and the side table (SQLite test database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from chaos.invariants import check
from chaos.kinds import KINDS
from chaos.side_table import CREATE, TABLE
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


def side_rows(task: TaskRecord, rows: list[tuple[int, str, float]]) -> None:
    """Side-table rows (attempt, phase, seconds after T0) as the task code writes them."""
    with connection.cursor() as cursor:
        cursor.execute(CREATE["sqlite"])
        for attempt, phase, seconds in rows:
            cursor.execute(
                f"INSERT INTO {TABLE} (task_id, attempt, pid, phase, at) "
                "VALUES (%s, %s, 1, %s, %s)",
                [task.id.hex, attempt, phase, T0.timestamp() + seconds],
            )


def test_rows_read_from_the_database_are_judged() -> None:
    good = stored_task("succeeded", [("ready", "running", 1), ("running", "succeeded", 1)], 1)
    side_rows(good, [(1, "start", 1.1), (1, "end", 1.5)])
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
    side_rows(twice, [(1, "start", 1.1), (2, "start", 1.2), (1, "end", 3.5), (2, "end", 3.6)])
    TaskErrorRecord.objects.create(
        task=twice,
        attempt=1,
        exception_type="OperationalError",
        message="database is locked",
        failed_at=T0,
    )
    with connection.cursor() as cursor:
        snapshot = load(cursor)
    assert {task.id for task in snapshot.tasks} == {good.id.hex, twice.id.hex}
    assert snapshot.tasks[0].kwargs in ({"note": "x"},)
    result = {name: len(found) for name, found in check(snapshot).items() if found}
    assert result == {
        "no task succeeded twice": 1,
        "no overlapping executions": 1,
        "every transition legal": 1,
        "no 'database is locked' in task errors": 1,
    }
