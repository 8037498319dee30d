"""Writing new task rows without the ORM: the hot path of every submit.

Why not `bulk_create`: preparing 20 values per row through the field machinery, compiling
the INSERT and adapting every parameter cost more than the database's own work (about
60 µs a task in a batch of 1,000), and on PostgreSQL each single submit paid a separate
clock read, BEGIN, COMMIT and NOTIFY round trip. Here PostgreSQL gets one prepared
statement per submit (stamped by the server clock, its NOTIFY riding along) and COPY for
batches; SQLite one multi-row INSERT per 500 rows. The triggers that keep the
counters fire for these statements as for any other (docs/counters.md).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from scheduler_core.domain import Task

from .mapping import TASK_COLUMNS, json_text, task_row
from .notifications import NOTIFY_CHANNEL
from .prepared import may_prepare

_COLUMN_LIST = ", ".join(TASK_COLUMNS)
# With server-side binding a str parameter arrives as text, which jsonb columns need cast.
_JSON_COLUMNS = frozenset({"args", "kwargs", "worker_ids", "result", "tags", "progress"})


def _placeholder(column: str) -> str:
    return "%s::jsonb" if column in _JSON_COLUMNS else "%s"


_POSTGRES_INSERT = (
    f"INSERT INTO scheduler_task ({_COLUMN_LIST}) "
    f"VALUES ({', '.join(_placeholder(column) for column in TASK_COLUMNS)})"
)
# A new task due at once (Task.is_new_and_due_at_once): ready, never run, and enqueued and
# due at the server's statement time, the clock claims judge due-ness by (DatabaseClock
# reads the same); the columns left out are NULL. The NOTIFY is part of the statement, so
# PostgreSQL delivers it on commit (at once outside a transaction, at the caller's commit
# inside one, never after a rollback) without a round trip of its own.
_POSTGRES_INSERT_NOW = """
WITH inserted AS (
    INSERT INTO scheduler_task (
        id, name, args, kwargs, queue, priority, max_attempts, timeout, unique_key,
        tags, result_ttl,
        status, attempt, run_after, enqueued_at, worker_ids, cancel_requested
    ) VALUES (
        %s, %s, %s::jsonb, %s::jsonb, %s, %s, %s, %s, %s,
        %s::jsonb, %s,
        'ready', 0, statement_timestamp(), statement_timestamp(), '[]', false
    )
    RETURNING enqueued_at, queue
)
SELECT enqueued_at, pg_notify(%s, queue) FROM inserted
"""
_POSTGRES_COPY = f"COPY scheduler_task ({_COLUMN_LIST}) FROM STDIN"
_SQLITE_ROW = f"({', '.join('?' for _ in TASK_COLUMNS)})"
# Rows per SQLite INSERT: one statement for many rows, not one per row, because SQLite runs
# every statement on a table with triggers in a sub-transaction of its own (a statement
# journal): 500 rows a statement took half the CPU of executemany (24 -> 12 ms per 1,000).
SQLITE_ROWS_PER_STATEMENT = 500


def insert_task_now_postgres(connection: BaseDatabaseWrapper, task: Task) -> datetime:
    """Insert one task due at once, stamped and announced by the server; the stamp."""
    raw = _connected(connection)
    params = (
        task.id,
        task.name,
        json_text(task.args),
        json_text(task.kwargs),
        task.queue,
        int(task.priority),
        task.max_attempts,
        task.timeout,
        task.unique_key,
        json_text(task.tags),
        task.result_ttl,
        NOTIFY_CHANNEL,
    )
    # A server-side binding cursor of its own (Django's binds on the client), its statement
    # prepared (prepared.py), so PostgreSQL does not parse and plan it for every submit.
    import psycopg  # here: a worker on SQLite never loads it

    with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        cursor.execute(_POSTGRES_INSERT_NOW, params, prepare=may_prepare(raw))
        row = cursor.fetchone()
    assert row is not None
    stamp: datetime = row[0]
    return stamp.astimezone(UTC)


def insert_tasks(connection: BaseDatabaseWrapper, tasks: Sequence[Task]) -> None:
    """Insert task rows as they are, in the caller's transaction (COPY or multi-row INSERT)."""
    raw = _connected(connection)
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            import psycopg  # here: a worker on SQLite never loads it

            # One row costs less as a plain INSERT than as the COPY protocol's three steps.
            with psycopg.Cursor(raw) as cursor:
                if len(tasks) == 1:
                    cursor.execute(_POSTGRES_INSERT, task_row(tasks[0], _same, _same))
                    return
                with cursor.copy(_POSTGRES_COPY) as copy:
                    for task in tasks:
                        copy.write_row(task_row(task, _same, _same))
            return
        moments = _SqliteMoments(connection.ops.adapt_datetimefield_value)
        rows = [task_row(task, moments.adapt, _hex) for task in tasks]
        # Builds older than 3.32 allow only 999 parameters a statement.
        per_statement = min(
            SQLITE_ROWS_PER_STATEMENT,
            raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(TASK_COLUMNS),
        )
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            raw.execute(_sqlite_insert(len(chunk)), [value for row in chunk for value in row])


def _connected(connection: BaseDatabaseWrapper) -> Any:
    """The driver connection, after the checks Django runs before handing out a cursor."""
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    return connection.connection


@functools.lru_cache(maxsize=64)
def _sqlite_insert(rows: int) -> str:
    values = ", ".join([_SQLITE_ROW] * rows)
    return f"INSERT INTO scheduler_task ({_COLUMN_LIST}) VALUES {values}"


def _same(value: Any) -> Any:
    return value


def _hex(value: Any) -> Any:
    # Django keeps a UUIDField in SQLite as 32 hex digits.
    return value.hex


class _SqliteMoments:
    """Datetimes in the text form Django writes to SQLite, each distinct one adapted once.

    The tasks of one batch share their enqueue time, so most lookups hit.
    """

    def __init__(self, adapt: Any) -> None:
        self._adapt = adapt
        self._seen: dict[datetime, Any] = {}

    def adapt(self, moment: datetime | None) -> Any:
        if moment is None:
            return None
        text = self._seen.get(moment)
        if text is None:
            text = self._seen[moment] = self._adapt(moment)
        return text
