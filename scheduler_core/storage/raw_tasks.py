"""Task rows read by raw SQL as domain tasks, without model instances.

The claim returns a few dozen rows many times a second. RawQuerySet mapped each column to a
field by name and compiled its converters on every query (about half of the fetcher's
CPU); building a TaskRecord per row and then the domain Task from it still cost the
fetcher about a third of its CPU, most of it in Model.__init__. Here the columns are the
model's concrete fields in order (as `SELECT t.<every column>` returns them), the fields'
converters are looked up once per database alias, and the values go straight into a Task.

Looping over the converters and naming each column in a dict per row was still most of the
claim's Python (round 20). So the first claim on an alias writes one function that builds
a Task from a row, each column's converters and conversion applied in place, as
`dataclasses` writes a class's `__init__`. Its text holds only the model's attribute names
and column numbers, never a value read from the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import JSONField

from scheduler_core.domain import Task
from scheduler_core.models import TaskRecord

from .mapping import TASK_CONVERSIONS

_FIELDS = TaskRecord._meta.concrete_fields
# Per alias: the function that makes a row into a Task.
_BUILDERS: dict[str, Callable[[Sequence[Any]], Task]] = {}


def tasks_of(using: str, rows: Sequence[Sequence[Any]]) -> list[Task]:
    """Domain tasks (without their errors) of rows whose first columns are TaskRecord's
    concrete fields, in order. Columns after those (a RETURNING's extras) are ignored.
    """
    build = _BUILDERS.get(using)
    if build is None:
        build = _BUILDERS[using] = _builder_of(using)
    return [build(row) for row in rows]


def _builder_of(using: str) -> Callable[[Sequence[Any]], Task]:
    # What the SQL compiler applies to a selected column: the backend's, then the field's;
    # then what mapping.py does to the few columns that differ from Task's fields.
    connection = connections[using]
    namespace: dict[str, Any] = {"Task": Task, "connection": connection}
    arguments = []
    for index, field in enumerate(_FIELDS):
        column = field.get_col(TaskRecord._meta.db_table)
        namespace[f"column_{index}"] = column
        value = f"row[{index}]"
        functions = [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]
        for number, convert in enumerate(functions):
            name = f"convert_{index}_{number}"
            namespace[name] = _plain_json if _is_plain_json(convert) else convert
            value = f"{name}({value}, column_{index}, connection)"
        if field.attname in TASK_CONVERSIONS:
            namespace[f"to_{index}"] = TASK_CONVERSIONS[field.attname]
            value = f"to_{index}({value})"
        arguments.append(f"{field.attname}={value}")
    source = f"def build(row):\n    return Task({', '.join(arguments)}, errors=[])\n"
    exec(compile(source, f"<task builder for {using}>", "exec"), namespace)  # noqa: S102
    built: Callable[[Sequence[Any]], Task] = namespace["build"]
    return built


def _is_plain_json(convert: Callable[..., Any]) -> bool:
    """Whether `convert` is a JSONField's own load of a whole column, with json's decoder."""
    field = getattr(convert, "__self__", None)
    return (
        isinstance(field, JSONField)
        and field.decoder is None
        and getattr(convert, "__func__", None) is JSONField.from_db_value
    )


def _plain_json(value: Any, expression: Any, connection: Any) -> Any:
    """JSONField.from_db_value for a whole column and no custom decoder, less its checks.

    Most of a claimed task's six JSON columns hold an empty list or object (the arguments
    of many tasks, the tags, the list of workers): those need no parser. The rest is as
    Django loads them: SQL NULL is None, text that is not JSON is returned as it is.
    """
    if value is None:
        return None
    if value == "[]":
        return []
    if value == "{}":
        return {}
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value
