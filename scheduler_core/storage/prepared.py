"""Cursors whose statements PostgreSQL plans once per connection (prepared statements).

Django's PostgreSQL backend binds parameters on the client by default, so the server plans
every statement it receives afresh. For the few large statements a worker sends over and
over (its claim, its outcome writer's round) the plan cost the server more than running
them: 0.37 ms of planning against 0.26 to 0.37 ms of execution for a writer round on this
machine. These cursors bind on the server and ask psycopg to prepare each statement, so
its text is parsed and planned once per connection (PostgreSQL may then keep a generic
plan). They are still Django cursors: query logging, execute wrappers and error wrapping
work as for any other.

Only for statements whose text takes a bounded number of forms (placeholders, never
values, vary with the input), since each form is a prepared statement on the server, and
for parameters whose types psycopg can name (give arrays and JSON explicit casts): the
same text must also run on a plain Django cursor, which binds on the client.

Django turns psycopg's preparing off for every connection (prepare_threshold None), for
the sake of poolers in transaction mode. Here it is turned back on for the connection at
a threshold no statement reaches by repetition, so only these cursors' statements are
prepared: Django's own cursors bind on the client and are never prepared. Set
SCHEDULER["PREPARED_STATEMENTS"] to False to keep to plain cursors.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connections

from scheduler_core.conf import scheduler_conf

# A prepare threshold no statement reaches by being repeated: only prepare=True prepares.
_ONLY_WHEN_ASKED = 2**31 - 1


@functools.cache
def _preparing_cursor() -> type[Any]:
    """psycopg's server-binding cursor, preparing every statement it runs.

    Made on first use: a worker on SQLite never loads psycopg (most of 0.1 s of its start).
    """
    import psycopg

    class PreparingCursor(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            options["prepare"] = True
            return super().execute(query, params, **options)

    return PreparingCursor


def prepared_cursor(using: str) -> Any:
    """A Django cursor on `using` (PostgreSQL) whose statements are prepared (if allowed)."""
    connection = connections[using]
    connection.ensure_connection()
    if not may_prepare(connection.connection):
        return connection.cursor()
    raw: Any = _preparing_cursor()(connection.connection)
    # As BaseDatabaseWrapper.cursor() wraps its own cursors.
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def may_prepare(psycopg_connection: Any) -> bool:
    """Whether statements may be prepared on this psycopg connection (the setting), and if
    so, let psycopg prepare those it is asked to."""
    if not scheduler_conf().prepared_statements:
        return False
    if psycopg_connection.prepare_threshold is None:
        psycopg_connection.prepare_threshold = _ONLY_WHEN_ASKED
    return True
