"""Inserting many rows of the transition log with one raw statement, no model instances.

The claim and the batched completion log one transition per task: dozens per statement on
a busy worker. The ORM's bulk_create builds a model per row and compiles the INSERT each
time, which cost more than the database spent on it. Here a batch is one statement: on
PostgreSQL an INSERT from `unnest` of one array per column (one text, so it is prepared
once per connection), on SQLite multi-row INSERTs. One statement, not one per row, also
means one run of the counter triggers, which are per statement (storage/counters).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connections

from scheduler_core.domain import TaskTransition
from scheduler_core.models import TaskEvent

_TABLE = TaskEvent._meta.db_table
_INSERT = f"INSERT INTO {_TABLE} (task_id, from_status, to_status, at, attempt, actor, reason) "
INSERT_EVENTS_POSTGRES = _INSERT + (
    "SELECT task_id, from_status, to_status, at, attempt, actor, reason "
    "FROM json_to_recordset(%s::json) AS r(task_id uuid, from_status text, to_status text, "
    "at timestamptz, attempt int, actor text, reason text)"
)
_ROW = "(%s, %s, %s, %s, %s, %s, %s)"
# Rows per SQLite INSERT: seven variables each, well below SQLite's variable limit.
SQLITE_ROWS_PER_STATEMENT = 100
# The model's column limits, which bulk_create would not check either.
_ACTOR_MAX = 200
_REASON_MAX = 300


EventRow = tuple[UUID, str, str, datetime, int, str, str]


def insert_transitions(using: str, transitions: Iterable[TaskTransition]) -> None:
    """Log these transitions (as event_record() would store them, one row each)."""
    insert_event_rows(using, _rows(transitions))


def event_document(transitions: Iterable[TaskTransition]) -> list[dict[str, Any]]:
    """These transitions as the JSON records the PostgreSQL statements read."""
    return _document(_rows(transitions))


def _rows(transitions: Iterable[TaskTransition]) -> list[EventRow]:
    return [
        (t.task_id, t.from_status.value, t.to_status.value, t.at, t.attempt, t.actor, t.reason)
        for t in transitions
    ]


def insert_event_rows(using: str, rows: Sequence[EventRow]) -> None:
    """Insert (task_id, from_status, to_status, at, attempt, actor, reason) rows."""
    if not rows:
        return
    connection = connections[using]
    if connection.vendor == "postgresql":
        _insert_postgres(connection, rows)
        return
    ops = connection.ops
    # A UUIDField is a native uuid on PostgreSQL and 32 hex digits (char(32)) elsewhere.
    native_uuid = connection.features.has_native_uuid_field
    # Rows of one batch share their moment: adapt each distinct one once.
    moments: dict[datetime, Any] = {}
    params = []
    for task_id, from_status, to_status, at, attempt, actor, reason in rows:
        stored_at = moments.get(at)
        if stored_at is None:
            stored_at = moments[at] = ops.adapt_datetimefield_value(at)
        params.append(
            (
                task_id if native_uuid else task_id.hex,
                from_status,
                to_status,
                stored_at,
                attempt,
                actor[:_ACTOR_MAX],
                reason[:_REASON_MAX],
            )
        )
    with connection.cursor() as cursor:
        for first in range(0, len(params), SQLITE_ROWS_PER_STATEMENT):
            chunk = params[first : first + SQLITE_ROWS_PER_STATEMENT]
            sql = _INSERT + "VALUES " + ", ".join([_ROW] * len(chunk))
            cursor.execute(sql, [value for row in chunk for value in row])


def _insert_postgres(connection: Any, rows: Sequence[EventRow]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(INSERT_EVENTS_POSTGRES, [json.dumps(_document(rows))])


def _document(rows: Sequence[EventRow]) -> list[dict[str, Any]]:
    # Rows of one batch share their moment: format each distinct one once.
    moments: dict[datetime, str] = {}
    return [
        {
            "task_id": str(task_id),
            "from_status": from_status,
            "to_status": to_status,
            "at": moments.get(at) or moments.setdefault(at, at.isoformat()),
            "attempt": attempt,
            "actor": actor[:_ACTOR_MAX],
            "reason": reason[:_REASON_MAX],
        }
        for task_id, from_status, to_status, at, attempt, actor, reason in rows
    ]
