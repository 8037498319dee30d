"""The log tables keep no index that another index of theirs already serves (migration 0025).

Two transition rows and, for failures, an error row are written per task; each of their
indexes is one more entry per row. An index whose columns begin another index's columns
serves no look-up the longer one cannot: it only costs writes.
"""

from __future__ import annotations

from django.db import connections

from scheduler_core.models import TaskErrorRecord, TaskEvent, WorkflowEdgeRecord

TABLES = [model._meta.db_table for model in (TaskEvent, TaskErrorRecord, WorkflowEdgeRecord)]


def repeated_indexes(alias: str, table: str) -> list[str]:
    """Indexes of `table` whose columns are a leading part of another index's columns."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexes = {
        name: tuple(found["columns"])
        for name, found in constraints.items()
        if (found["index"] or found["unique"]) and not found["primary_key"] and found["columns"]
    }
    return sorted(
        name
        for name, columns in indexes.items()
        if any(
            other != name and len(longer) > len(columns) and longer[: len(columns)] == columns
            for other, longer in indexes.items()
        )
    )


def test_no_log_table_index_repeats_the_start_of_another(alias: str) -> None:
    assert {table: repeated_indexes(alias, table) for table in TABLES} == {
        table: [] for table in TABLES
    }
