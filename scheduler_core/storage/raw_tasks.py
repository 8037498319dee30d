"""Task rows read by raw SQL as domain tasks, without model instances.

The claim returns a few dozen rows many times a second. RawQuerySet mapped each column to a
field by name and compiled its converters on every query (about half of the fetcher's
CPU); building a TaskRecord per row and then the domain Task from it still cost the
fetcher about a third of its CPU, most of it in Model.__init__. Here the columns are the
model's concrete fields in order (as `SELECT t.<every column>` returns them), the fields'
converters are looked up once per database alias, and the values go straight into a Task.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections

from scheduler_core.domain import Task
from scheduler_core.models import TaskRecord

from .mapping import TASK_ATTNAMES, task_from_columns

_FIELDS = TaskRecord._meta.concrete_fields
# Per alias: (column index, the field's column expression, its converters in order).
_CONVERTERS: dict[str, list[tuple[int, Any, list[Callable[..., Any]]]]] = {}


def tasks_of(using: str, rows: Sequence[Sequence[Any]]) -> list[Task]:
    """Domain tasks (without their errors) of rows whose first columns are TaskRecord's
    concrete fields, in order. Columns after those (a RETURNING's extras) are ignored.
    """
    connection = connections[using]
    converters = _CONVERTERS.get(using)
    if converters is None:
        converters = _CONVERTERS[using] = _converters_of(using)
    width = len(TASK_ATTNAMES)
    tasks = []
    for row in rows:
        values = list(row[:width])
        for index, column, functions in converters:
            value = values[index]
            for convert in functions:
                value = convert(value, column, connection)
            values[index] = value
        tasks.append(task_from_columns(dict(zip(TASK_ATTNAMES, values, strict=True))))
    return tasks


def _converters_of(using: str) -> list[tuple[int, Any, list[Callable[..., Any]]]]:
    # What the SQL compiler applies to a selected column: the backend's, then the field's.
    connection = connections[using]
    found = []
    for index, field in enumerate(_FIELDS):
        column = field.get_col(TaskRecord._meta.db_table)
        functions = [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]
        if functions:
            found.append((index, column, functions))
    return found
