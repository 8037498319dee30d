"""Task rows read by raw SQL as model instances, without a RawQuerySet.

RawQuerySet maps each column to a field by name and compiles its converters on every
query: for the claim, which returns a handful of rows many times a second, that was about
half of the fetcher's CPU. Here the columns are the model's concrete fields in order (as
`SELECT t.<every column>` returns them), and the converters are looked up once per
database alias.

The instances are built as `Model.from_db` leaves them, without calling `Model.__init__`,
which walks every field with its descriptors and sends `pre_init` and `post_init` for each
row: work for nothing, since the fetcher turns each claimed row into a domain Task at once.
A sampling profile of a draining supervisor put it at a tenth of its Python; an A/B drain
measured less, within the noise (performance.md, round 10). Nothing connects to those
signals for TaskRecord, which `test_raw_records.py` checks, with the instances' equality
to the ORM's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models.base import ModelState

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
        records.append(_loaded(using, values))
    return records


def _loaded(using: str, values: list[Any]) -> TaskRecord:
    """A TaskRecord of one row's converted values, in the state from_db leaves it."""
    record = _new(TaskRecord)
    record.__dict__.update(zip(_NAMES, values, strict=True))
    state = record._state = ModelState()
    state.adding = False
    state.db = using
    return record


_new = object.__new__


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
