"""The search indexes of migrations 0011 and 0023: kept in step, used by the planner,
reversible, and never written again when a task only changes status.

What a search finds is the contract suite's business (tests/contract/test_task_search_contract.py);
these tests look at the indexes themselves on each engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections, transaction
from django.db.backends.utils import CursorWrapper

from scheduler_core.domain import Task, TaskFilter, TaskStatus
from scheduler_core.models import TaskRecord
from scheduler_core.storage import DjangoTaskRepository
from scheduler_core.storage.argument_search import indexed, preferring_the_index, scanning
from scheduler_core.storage.mapping import TASK_COLUMNS, task_row
from scheduler_core.storage.task_listing import after

from .schema import (
    assert_truncate_empties,
    cancel_and_prune,
    index_definitions,
    migrate,
    migrated_before,
    parent_of,
    postgres_index_names,
)

MIGRATION = ("scheduler_core", "0011_argument_search")
SQLITE_OBJECTS = {
    "scheduler_task_search",
    "sched_search_task_insert",
    "sched_search_task_update",
    "sched_search_task_delete",
}
POSTGRES_INDEXES = {"sched_task_args_trgm_idx", "sched_task_kwargs_trgm_idx"}
# Since 0023 the trigram indexes are on PostgreSQL's side table, filled when a task is added.
SIDE_MIGRATION = ("scheduler_core", "0023_argument_search_beside_the_task_row")
SIDE_INDEXES = {"sched_search_args_trgm_idx", "sched_search_kwargs_trgm_idx"}
# What the side table holds for each task, computed afresh from the task table.
FRESH_SIDE_ROWS = """
SELECT id, NULLIF(UPPER(args::text), '[]'), NULLIF(UPPER(kwargs::text), '{}')
FROM scheduler_task
"""
# The index of migration 0011 built afresh from the task table, to compare with the live one.
FRESH_SQLITE_INDEX = """
CREATE VIRTUAL TABLE search_check USING fts5(
    args, kwargs, content='scheduler_task', content_rowid='rowid', columnsize=0,
    tokenize='trigram case_sensitive 0'
)
"""


def task(clock_now: Any, *args: Any, **kwargs: Any) -> Task:
    return Task.create("demo.noop", now=clock_now, args=list(args), kwargs=kwargs)


def entries(cursor: CursorWrapper, table: str) -> set[tuple[Any, ...]]:
    """Every (trigram, rowid, column, offset) an FTS5 index holds."""
    cursor.execute(f"CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, {table}, instance)")
    try:
        cursor.execute("SELECT term, doc, col, offset FROM temp.vocab")
        return set(cursor.fetchall())
    finally:
        cursor.execute("DROP TABLE temp.vocab")


def assert_in_step(alias: str) -> None:
    """The live index holds exactly what one built from the task table now holds."""
    if connections[alias].vendor == "sqlite":
        live, fresh = _sqlite_index_now_and_afresh(alias)
    else:
        live, fresh = _postgres_side_table_now_and_afresh(alias)
    assert live == fresh
    assert live, "the check compares nothing"


def _sqlite_index_now_and_afresh(alias: str) -> tuple[set[Any], set[Any]]:
    """The FTS5 index's entries, and those of one built from the task table now."""
    with connections[alias].cursor() as cursor:
        cursor.execute(FRESH_SQLITE_INDEX)
        try:
            cursor.execute("INSERT INTO search_check (search_check) VALUES ('rebuild')")
            fresh = entries(cursor, "search_check")
        finally:
            cursor.execute("DROP TABLE search_check")
        return entries(cursor, "scheduler_task_search"), fresh


def _postgres_side_table_now_and_afresh(alias: str) -> tuple[set[Any], set[Any]]:
    """The side table's rows, and what the task table's rows would put there now."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT task_id, args_upper, kwargs_upper FROM scheduler_task_search")
        live = set(cursor.fetchall())
        cursor.execute(FRESH_SIDE_ROWS)
        return live, set(cursor.fetchall())


def found(tasks: DjangoTaskRepository, term: str) -> int:
    """How many tasks the search finds; counts always go through the index."""
    return tasks.count(TaskFilter(search=term))


def found_as_before_0023(alias: str, term: str) -> int:
    """How many tasks match, as the search found them before 0023 on PostgreSQL: its own
    condition on the task table, which the trigram indexes of 0011 were built on."""
    return scanning(TaskRecord.objects.using(alias), term).count()


def test_the_triggers_keep_the_search_index_in_step(alias: str) -> None:
    tasks = DjangoTaskRepository(alias)
    now = tasks.clock.now()
    one = task(now, "alpha-1", city="Oslo")
    tasks.add(one)
    many = [task(now, f"beta-{n}", n=n) for n in range(5)]
    tasks.add_many(many)
    tasks.add(task(now))
    assert_in_step(alias)
    assert (found(tasks, "ALPHA-1"), found(tasks, "beta-"), found(tasks, "oslo")) == (1, 5, 1)

    # Nothing in the domain rewrites arguments; an operator or a data fix might.
    TaskRecord.objects.using(alias).filter(id=one.id).update(args=["gamma-1"])
    assert_in_step(alias)
    assert (found(tasks, "alpha-1"), found(tasks, "gamma-1")) == (0, 1)

    # A state change writes every column but leaves the arguments (and the index) alone.
    one.claim("w1", now=tasks.clock.now(), lease=timedelta(minutes=1))
    tasks.update(one, expected_status=TaskStatus.READY, expected_attempt=0)
    assert_in_step(alias)

    tasks.delete(many[0].id)
    assert_in_step(alias)
    assert found(tasks, "beta-") == 4

    assert cancel_and_prune(tasks, many[1:3]) == 2
    assert_in_step(alias)
    assert found(tasks, "beta-") == 2

    assert_truncate_empties(alias, "scheduler_task_search")


def test_no_index_of_the_task_row_reads_the_arguments(alias: str) -> None:
    """A task changes status three times or more, and no such update is HOT (the status is
    indexed): every index of the task row gets a new entry each time. An index over the
    arguments would index the same, unchanged text again at every change, at a cost that
    grows with their size (round 15 in docs/performance.md: 1.3 KB of arguments cost a
    claim and its outcome 378 to 434 µs of the server per task, against 122 to 154 µs)."""
    indexes = index_definitions(alias, "scheduler_task")
    assert [name for name, sql in indexes.items() if "args" in sql.lower()] == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_vacuum_keeps_the_rowids_the_sqlite_index_refers_to(alias: str) -> None:
    tasks = DjangoTaskRepository(alias)
    now = tasks.clock.now()
    stored = [task(now, f"delta-{n}") for n in range(30)]
    tasks.add_many(stored)
    # Holes in the rowids, which a renumbering VACUUM would close.
    for gone in stored[::3]:
        tasks.delete(gone.id)

    def rowids() -> list[tuple[Any, ...]]:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT id, rowid FROM scheduler_task ORDER BY id")
            return [tuple(row) for row in cursor.fetchall()]

    before = rowids()
    with connections[alias].cursor() as cursor:
        cursor.execute("VACUUM")

    assert rowids() == before
    assert_in_step(alias)
    assert found(tasks, "delta-") == 20


@pytest.fixture
def many_tasks(alias: str) -> DjangoTaskRepository:
    """3,000 tasks with distinct arguments, analyzed, so the planner has a choice to make."""
    tasks = DjangoTaskRepository(alias)
    now = tasks.clock.now()
    tasks.add_many([task(now, {"order": f"order-{n}"}, n=n) for n in range(3000)])
    analyzed = "scheduler_task"
    if connections[alias].vendor == "postgresql":
        analyzed += ", scheduler_task_search"
    with connections[alias].cursor() as cursor:
        cursor.execute(f"ANALYZE {analyzed}")
    return tasks


@pytest.mark.parametrize("backend", ["postgres"])
def test_postgres_finds_a_term_through_the_trigram_indexes(
    alias: str, many_tasks: DjangoTaskRepository
) -> None:
    # Unordered, as a count asks it (the model's default order would add an index walk).
    rows = indexed(TaskRecord.objects.using(alias), "order-1234").order_by()
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        # Small as the table is, a scan could cost less; the question is whether the
        # planner can use the indexes for the query as the ORM writes it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Nor a walk of the narrow side table's primary key, testing each row.
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = rows.explain()

    assert "Bitmap Index Scan on sched_search_args_trgm_idx" in plan
    assert "Bitmap Index Scan on sched_search_kwargs_trgm_idx" in plan
    assert rows.count() == 1


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_page_preferring_the_index_does_not_walk_the_list_order(
    alias: str, many_tasks: DjangoTaskRepository
) -> None:
    page = after(indexed(TaskRecord.objects.using(alias), "order-1"), None)[:51]
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        walking = page.explain()
        with preferring_the_index(alias):
            preferring = page.explain()

    # Without the preference the planner reads the list index newest first and tests rows.
    assert "Index Scan using sched_task_list_idx" in walking
    assert "Bitmap Index Scan on sched_search_args_trgm_idx" in preferring
    assert "sched_task_list_idx" not in preferring


@pytest.mark.parametrize("backend", ["postgres"])
def test_preferring_the_index_leaves_the_setting_as_it_found_it(alias: str) -> None:
    def setting(cursor: CursorWrapper) -> str:
        cursor.execute("SHOW enable_indexscan")
        value: str = cursor.fetchone()[0]
        return value

    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        with preferring_the_index(alias):
            assert setting(cursor) == "off"
        assert setting(cursor) == "on"
        cursor.execute("SET LOCAL enable_indexscan = off")
        with preferring_the_index(alias):
            pass
        assert setting(cursor) == "off"


def search_objects(alias: str) -> set[str]:
    """Which of migration 0011's tables, triggers and indexes exist."""
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%search%'")
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'scheduler_task' "
                "AND indexname LIKE '%trgm%'"
            )
        return {name for (name,) in cursor.fetchall()} & (SQLITE_OBJECTS | POSTGRES_INDEXES)


def add_as_before_0013(alias: str, new: Task) -> None:
    """Insert a task as the code of that time did: the columns of 0013 on do not exist yet."""
    connection = connections[alias]
    key = TaskRecord._meta.pk
    assert key is not None
    # Every column from 0013's on came later (0013, then 0016's workflow columns).
    columns = TASK_COLUMNS[: TASK_COLUMNS.index("attempt_started_at")]
    row = task_row(
        new,
        connection.ops.adapt_datetimefield_value,
        lambda value: key.get_db_prep_save(value, connection),
    )[: len(columns)]
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO scheduler_task ({', '.join(columns)}) VALUES ({marks})", row)


@pytest.fixture
def migrated_back(alias: str) -> Iterator[None]:
    """The database migrated to just before 0011; migrated forward again afterwards."""
    with migrated_before(alias, MIGRATION):
        yield


@pytest.mark.usefixtures("migrated_back")
def test_the_migration_reverses_and_backfills_rows_stored_before_it(alias: str) -> None:
    expected = SQLITE_OBJECTS if connections[alias].vendor == "sqlite" else POSTGRES_INDEXES
    assert search_objects(alias) == set()
    tasks = DjangoTaskRepository(alias)
    add_as_before_0013(alias, task(tasks.clock.now(), "written-before-0011", note="Backfilled"))

    migrate(alias, MIGRATION)

    assert search_objects(alias) == expected
    if connections[alias].vendor == "sqlite":
        assert (found(tasks, "written-before"), found(tasks, "backfilled")) == (1, 1)
        assert_in_step(alias)
    else:
        # The search of today reads 0023's side table; this is the one of 0011's time.
        matches = [found_as_before_0023(alias, term) for term in ("written-before", "backfilled")]
        assert matches == [1, 1]


@pytest.fixture
def before_the_side_table(alias: str) -> Iterator[None]:
    """The database migrated to just before 0023; migrated forward again afterwards."""
    with migrated_before(alias, SIDE_MIGRATION):
        yield


@pytest.mark.parametrize("backend", ["postgres"])
@pytest.mark.usefixtures("before_the_side_table")
def test_the_side_table_migration_backfills_and_reverses(alias: str) -> None:
    assert postgres_index_names(alias, "%trgm%") == POSTGRES_INDEXES
    tasks = DjangoTaskRepository(alias)
    add_as_before_0013(alias, task(tasks.clock.now(), "written-before-0023", note="Backfilled"))

    migrate(alias, SIDE_MIGRATION)

    assert postgres_index_names(alias, "%trgm%") == SIDE_INDEXES
    assert_in_step(alias)
    assert (found(tasks, "written-before"), found(tasks, "backfilled")) == (1, 1)

    migrate(alias, parent_of(alias, SIDE_MIGRATION))

    assert postgres_index_names(alias, "%trgm%") == POSTGRES_INDEXES
    matches = [found_as_before_0023(alias, term) for term in ("written-before", "backfilled")]
    assert matches == [1, 1]
