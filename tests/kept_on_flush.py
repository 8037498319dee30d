"""A test database's content types and permissions, kept across flushes while intact.

After a test on a real database, pytest-django empties every table with Django's `flush`,
which then sends `post_migrate` so that the content types and permissions are made again.
That is the larger part of each such test's teardown: about 90 of 130 ms for a test on
SQLite and PostgreSQL together (create_permissions and create_contenttypes look up and
insert some 150 rows on each database), after each of some 1,100 tests.

Their rows are the same after every flush. So a flush leaves those two tables alone, and
sends no `post_migrate`, when their rows are exactly those the last `post_migrate` made. A
test that changed, added or removed any of them gets the full flush, and the rows are made
again as before. Nothing else listens to `post_migrate` in this project but Django's own
receivers, and their third one renames permissions only along a migration plan, which a
flush has none of (tests/test_kept_on_flush.py checks the list).
"""

from __future__ import annotations

from typing import Any

from django.core.management import sql as management_sql
from django.core.management.commands import flush as flush_command
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

# The tables post_migrate fills, with the columns that make their rows what they are.
KEPT = {
    "django_content_type": "id, app_label, model",
    "auth_permission": "id, content_type_id, codename, name",
}

type Rows = tuple[tuple[tuple[Any, ...], ...], ...]

_full_sql_flush = management_sql.sql_flush
_full_post_migrate = management_sql.emit_post_migrate_signal
# Per database alias: the kept tables' rows as the last post_migrate left them.
_made: dict[str, Rows] = {}
# The aliases whose last flush kept the tables.
_kept: set[str] = set()


def reference_rows(connection: BaseDatabaseWrapper) -> Rows:
    """The rows of the kept tables, in id order."""
    rows = []
    with connection.cursor() as cursor:
        for table, columns in KEPT.items():
            cursor.execute(f"SELECT {columns} FROM {connection.ops.quote_name(table)} ORDER BY id")
            rows.append(tuple(tuple(row) for row in cursor.fetchall()))
    return tuple(rows)


def _sql_flush(
    style: Any,
    connection: BaseDatabaseWrapper,
    reset_sequences: bool = True,
    allow_cascade: bool = False,
) -> list[str]:
    alias = connection.alias
    made = _made.get(alias)
    if reset_sequences or made is None or reference_rows(connection) != made:
        _kept.discard(alias)
        return list(
            _full_sql_flush(
                style, connection, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        )
    _kept.add(alias)
    tables = [
        table
        for table in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if table not in KEPT
    ]
    return list(
        connection.ops.sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    )


def _post_migrate(verbosity: int, interactive: bool, db: str, **kwargs: Any) -> None:
    if db in _kept:
        return
    _full_post_migrate(verbosity, interactive, db, **kwargs)
    _made[db] = reference_rows(connections[db])


def install() -> None:
    """Keep the content types and permissions across flushes from now on (this process)."""
    # The flush command calls the two by the names it imported them under.
    vars(flush_command).update(sql_flush=_sql_flush, emit_post_migrate_signal=_post_migrate)
