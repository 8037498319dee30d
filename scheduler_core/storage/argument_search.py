"""Searching the JSON text of task arguments: a scan, or the engine's trigram index.

The meaning is one on every engine (and in the in-memory adapter): the term occurs, ignoring
case, in the JSON text of the args or of the kwargs. Two ways to find such rows:

- `scanning`: the condition evaluated row by row. Cheap while matches are dense among the
  rows read (an index in list order stops after one page), hopeless for a rare term.
- `indexed`: the rows come from a trigram index. Costs what the number of matches costs,
  however old they are; a trigram index cannot serve a term shorter than three characters.

Both engines keep that index in a side table named scheduler_task_search, filled by
triggers when a task is inserted, so that a change of a task's status never indexes its
arguments again: on SQLite an FTS5 table (migration 0011), on PostgreSQL a table of the
upper-cased JSON texts with trigram GIN indexes (migration 0023; before it, indexes on the
task row cost a claim and an outcome 378 to 434 µs per task with 1.3 KB of arguments,
against 122 to 154 µs without). `indexed` selects the ids there; `scanning` tests the task rows.
`preferring_the_index` overrules the planner where its estimate is known to be wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.db.models.sql.compiler import SQLCompiler

from scheduler_core.models import TaskRecord

# Trigram indexes know only terms of three characters or more.
SHORTEST_INDEXED_TERM = 3
# The side table of either engine (see the module's docstring).
SEARCH_TABLE = "scheduler_task_search"
# PostgreSQL: UPPER(%s) as icontains renders it, so that both fold case alike.
POSTGRES_SEARCH_SQL = (
    f"SELECT task_id FROM {SEARCH_TABLE} "
    "WHERE args_upper LIKE UPPER(%s) OR kwargs_upper LIKE UPPER(%s)"
)


def scanning(rows: QuerySet[TaskRecord], term: str) -> QuerySet[TaskRecord]:
    """Rows whose args or kwargs JSON text contains `term`, ignoring case, tested row by row."""
    # icontains escapes %, _ and \ in the term, so they match only themselves.
    return rows.alias(
        args_text=Cast("args", TextField()), kwargs_text=Cast("kwargs", TextField())
    ).filter(Q(args_text__icontains=term) | Q(kwargs_text__icontains=term))


def indexed(rows: QuerySet[TaskRecord], term: str) -> QuerySet[TaskRecord]:
    """The same rows as `scanning`, found through the engine's trigram index where it can."""
    if len(term) < SHORTEST_INDEXED_TERM:
        return scanning(rows, term)
    connection = connections[rows.db]
    if connection.vendor == "sqlite":
        return rows.filter(_InSqliteIndex(term))
    if connection.vendor == "postgresql":
        # The pattern icontains would bind: %, _ and \ in the term match only themselves.
        pattern = f"%{connection.ops.prep_for_like_query(term)}%"
        return rows.filter(pk__in=RawSQL(POSTGRES_SEARCH_SQL, [pattern, pattern]))
    # Other engines have no index.
    return scanning(rows, term)


def index_serves(term: str) -> bool:
    """Whether `indexed` can use an index for this term (else it scans like `scanning`)."""
    return len(term) >= SHORTEST_INDEXED_TERM


@contextmanager
def preferring_the_index(using: str) -> Iterator[None]:
    """Queries run inside take the trigram index over an index in list order (PostgreSQL).

    For a term the planner believes common it walks the task list newest first and tests
    each row; when the matches are all old that reads most of the table. The caller knows
    better once it has seen few matches among the newest rows.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_indexscan')")
        (was,) = cursor.fetchone()
        cursor.execute("SELECT set_config('enable_indexscan', 'off', true)")
        yield
        # Put back by hand: a local setting would last to the end of an outer transaction,
        # and releasing a savepoint does not undo it. (An error rolls back, which does.)
        cursor.execute("SELECT set_config('enable_indexscan', %s, true)", [was])


def fts5_phrase(term: str) -> str:
    """The term as one FTS5 phrase: quoted, with its double quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


class _InSqliteIndex(RawSQL):
    """True for the rows whose arguments the SQLite FTS5 trigram index finds the term in.

    A quoted phrase of trigram tokens matches exactly the texts that contain it as a
    substring; case_sensitive 0 folds case as the scan's LIKE does for ASCII. Raw SQL (the
    ORM does not know rowid), and a RawSQL so that the WHERE clause holds it bare: as
    `... = true` SQLite would no longer drive the query from the index's rowids.
    """

    def __init__(self, term: str) -> None:
        super().__init__("", [fts5_phrase(term)], output_field=BooleanField())

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[str | int, ...]]:
        # The table's alias in this query (it differs when the query is a subquery).
        table = compiler.quote_name(compiler.query.get_initial_alias())
        sql = f"{table}.rowid IN (SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH %s)"
        return sql, tuple(self.params)
