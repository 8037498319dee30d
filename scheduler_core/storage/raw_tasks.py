"""Task rows read by raw SQL as model instances, without a RawQuerySet.

RawQuerySet maps each column to a field by name and compiles its converters on every
query: for the claim, which returns a handful of rows many times a second, that was about
half of the fetcher's CPU. Here the columns are the model's concrete fields in order (as
`SELECT t.<every column>` returns them), and the converters are looked up once per
database alias.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections

from scheduler_core.models import TaskRecord

_FIELDS = TaskRecord._meta.concrete_fields
_NAMES = [field.attname for field in _FIELDS]
# Per alias: (column index, the field's column expression, its converters in order).
_CONVERTERS: dict[str, list[tuple[int, Any, list[Callable[..., Any]]]]] = {}


def records_of(using: str, rows: Sequence[Sequence[Any]]) -> list[TaskRecord]:
    """Model instances of rows whose first columns are TaskRecord's concrete fields, in order.

    Columns after those (a RETURNING's extras) are ignored.
    """
    connection = connections[using]
    converters = _CONVERTERS.get(using)
    if converters is None:
        converters = _CONVERTERS[using] = _converters_of(using)
    width = len(_NAMES)
    records = []
    for row in rows:
        values = list(row[:width])
        for index, column, functions in converters:
            value = values[index]
            for convert in functions:
                value = convert(value, column, connection)
            values[index] = value
        records.append(TaskRecord.from_db(using, _NAMES, values))
    return records


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
