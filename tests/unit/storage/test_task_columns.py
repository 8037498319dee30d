"""The raw insert writes every column of the task table, in the order its values come."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler_core.domain import Task
from scheduler_core.models import TaskRecord
from scheduler_core.storage.mapping import TASK_COLUMNS, task_row, task_values


def test_task_columns_are_the_columns_of_the_task_table() -> None:
    columns = [str(field.column) for field in TaskRecord._meta.concrete_fields]

    assert sorted(TASK_COLUMNS) == sorted(columns)
    assert len(TASK_COLUMNS) == len(set(TASK_COLUMNS))


def test_task_row_holds_the_values_the_orm_would_write() -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    task = Task.create("app.send", now=now, args=[1, "é"], kwargs={"to": ["a"]}, timeout=3.5)
    task.claim("w1", now=now, lease=now - now)

    row = dict(zip(TASK_COLUMNS, task_row(task, lambda m: m, lambda k: k), strict=True))

    values = {"id": task.id, **task_values(task)}
    json_columns = {"args", "kwargs", "worker_ids", "result", "tags"}
    assert {c: v for c, v in row.items() if c not in json_columns} == {
        c: v for c, v in values.items() if c not in json_columns
    }
    assert (row["args"], row["kwargs"], row["worker_ids"]) == (
        '[1, "\\u00e9"]',
        '{"to": ["a"]}',
        '["w1"]',
    )
    # An empty result is SQL NULL, as Django's JSONField writes None.
    assert row["result"] is None
