"""What the migration and index tests share: migrating around one migration, listing
the indexes a table has on either engine, and the writes that must keep a side table in
step (a cancel and prune, a TRUNCATE)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from scheduler_core.domain import Task, TaskStatus
from scheduler_core.storage import DjangoTaskRepository

Node = tuple[str, str]


def migrate(alias: str, target: Node) -> None:
    """Migrate the app of `target` forwards or backwards to exactly `target`."""
    MigrationExecutor(connections[alias]).migrate([target])


def parent_of(alias: str, migration: Node) -> Node:
    """The migration `migration` depends on in its own app (the state just before it)."""
    graph = MigrationExecutor(connections[alias]).loader.graph
    (parent,) = graph.node_map[migration].parents
    return parent.key  # type: ignore[no-any-return]


@contextmanager
def migrated_before(alias: str, migration: Node) -> Iterator[None]:
    """The database migrated to just before `migration`; to its app's newest afterwards."""
    executor = MigrationExecutor(connections[alias])
    leaves = [node for node in executor.loader.graph.leaf_nodes() if node[0] == migration[0]]
    migrate(alias, parent_of(alias, migration))
    try:
        yield
    finally:
        MigrationExecutor(connections[alias]).migrate(leaves)


def index_definitions(alias: str, table: str) -> dict[str, str]:
    """Each index of `table` by name, with the SQL that defines it."""
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
        return dict(cursor.fetchall())


def postgres_index_names(alias: str, like: str) -> set[str]:
    """PostgreSQL's indexes whose name is LIKE `like`, on whichever table."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", [like])
        return {name for (name,) in cursor.fetchall()}


def cancel_and_prune(tasks: DjangoTaskRepository, cancelled: Sequence[Task]) -> int:
    """Cancel these ready tasks and prune every cancelled one: how many rows went."""
    for each in cancelled:
        each.cancel(now=tasks.clock.now())
        tasks.update(each, expected_status=TaskStatus.READY, expected_attempt=0)
    return tasks.prune(
        statuses=frozenset({TaskStatus.CANCELLED}),
        finished_before=tasks.clock.now() + timedelta(seconds=1),
        limit=10,
    )


def assert_truncate_empties(alias: str, side_table: str) -> None:
    """On PostgreSQL, a TRUNCATE of the task table empties `side_table` too (its trigger)."""
    if connections[alias].vendor != "postgresql":
        return
    with connections[alias].cursor() as cursor:
        cursor.execute("TRUNCATE scheduler_task CASCADE")
        cursor.execute(f"SELECT count(*) FROM {side_table}")  # noqa: S608 - a test's constant
        assert cursor.fetchone()[0] == 0
