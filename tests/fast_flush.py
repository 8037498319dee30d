"""Emptying the PostgreSQL test database between tests with DELETE rather than TRUNCATE.

A test on a real database commits for real (its threads and worker processes use their own
connections), so pytest-django empties every table after it with Django's `flush`. On
PostgreSQL that is one TRUNCATE of the 37 tables, which gives every table and index a new
file: about 300 ms against 20 to 40 ms for DELETEs of the few rows a test leaves, after each
of some 700 tests (a fifth of the suite's time). A test that left many rows still gets the
TRUNCATE, which is then the cheaper of the two.

The DELETEs run twice: the first pass fires the counters' triggers (docs/counters.md), which
write counter rows the second pass removes, so the tables end as empty as TRUNCATE leaves
them. Foreign keys are deferred to the commit, where every referencing row is gone too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.backends.postgresql.operations import DatabaseOperations

# Past this many rows in any table, TRUNCATE is the cheaper way to empty it.
MANY_ROWS = 1_000

_truncate: Callable[..., list[str]] = DatabaseOperations.sql_flush


def _left_many_rows(operations: DatabaseOperations, tables: Sequence[str]) -> bool:
    probes = " UNION ALL ".join(
        f"SELECT 1 FROM (SELECT 1 FROM {operations.quote_name(table)} OFFSET {MANY_ROWS}) AS t"
        for table in tables
    )
    with operations.connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS ({probes})")
        row = cursor.fetchone()
    return bool(row and row[0])


def _delete_or_truncate(
    self: DatabaseOperations,
    style: Any,
    tables: Sequence[str],
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    if reset_sequences or not tables or _left_many_rows(self, tables):
        return _truncate(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    deletes = [f"DELETE FROM {style.SQL_FIELD(self.quote_name(table))};" for table in tables]
    return ["SET CONSTRAINTS ALL DEFERRED;", *deletes, *deletes]


def install() -> None:
    """Empty PostgreSQL test databases with DELETEs from now on (this process)."""
    DatabaseOperations.sql_flush = _delete_or_truncate  # type: ignore[method-assign,assignment]
