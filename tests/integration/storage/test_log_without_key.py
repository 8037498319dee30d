"""The transition log keeps no foreign key to its task; a trigger deletes a task's log with it
(migration 0026), on both engines, however the task goes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest
from django.db import connections

from scheduler_core.domain import Task, TaskStatus
from scheduler_core.models import TaskEvent, TaskRecord
from scheduler_core.storage import DjangoTaskRepository

from .schema import assert_truncate_empties, cancel_and_prune, migrate, migrated_before
from .test_claim_rules import add_due

MIGRATION = ("scheduler_core", "0026_transition_log_without_a_foreign_key")
LOG = TaskEvent._meta.db_table


def foreign_keys(alias: str) -> list[str]:
    """The log table's foreign-key constraints, as the database reports them."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, LOG)
    return sorted(name for name, found in constraints.items() if found["foreign_key"])


def log_triggers(alias: str) -> set[str]:
    """The names of the triggers defined on the log table itself."""
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [LOG]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [LOG],
            )
        return {name for (name,) in cursor.fetchall()}


def logged(alias: str, tasks: list[Task]) -> dict[UUID, int]:
    """How many log rows each of `tasks` has (those with none are left out).

    Without the model's ordering, which orders by the task and so joins the task table:
    that join would hide the very rows a task left behind when it was deleted.
    """
    counts: dict[UUID, int] = {}
    for task_id in (
        TaskEvent.objects.using(alias)
        .filter(task_id__in=[task.id for task in tasks])
        .order_by()
        .values_list("task_id", flat=True)
    ):
        counts[task_id] = counts.get(task_id, 0) + 1
    return counts


def cancel(tasks: DjangoTaskRepository, ready: list[Task]) -> None:
    """Cancel these ready tasks: each gets one log row (ready to cancelled)."""
    for each in ready:
        each.cancel(now=tasks.clock.now())
        tasks.update(each, expected_status=TaskStatus.READY, expected_attempt=0)


def test_the_log_has_no_foreign_key_in_the_database(alias: str) -> None:
    assert foreign_keys(alias) == []


def test_pruning_tasks_deletes_their_log_and_no_other(
    alias: str, tasks: DjangoTaskRepository
) -> None:
    gone, kept = add_due(tasks, 3), add_due(tasks, 2)
    # Claimed, so logged as well (ready to running): the pruning must leave their log.
    for each in kept:
        each.claim("worker-1", now=tasks.clock.now(), lease=timedelta(minutes=1))
        tasks.update(each, expected_status=TaskStatus.READY, expected_attempt=0)

    assert cancel_and_prune(tasks, gone) == 3

    assert logged(alias, gone) == {}
    assert logged(alias, kept) == {task.id: 1 for task in kept}


def test_a_task_deleted_by_the_orm_or_by_sql_takes_its_log_along(
    alias: str, tasks: DjangoTaskRepository
) -> None:
    by_orm, by_sql, kept = (add_due(tasks, 2) for _ in range(3))
    cancel(tasks, by_orm + by_sql + kept)
    assert set(logged(alias, by_orm + by_sql + kept).values()) == {1}

    TaskRecord.objects.using(alias).filter(id__in=[task.id for task in by_orm]).delete()
    table = TaskRecord._meta.db_table
    ids = [TaskRecord._meta.pk.get_db_prep_value(task.id, connections[alias]) for task in by_sql]
    with connections[alias].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN (%s, %s)", ids)  # noqa: S608

    assert logged(alias, by_orm + by_sql) == {}
    assert logged(alias, kept) == {task.id: 1 for task in kept}


def test_a_truncate_of_the_tasks_empties_the_log(
    backend: str, alias: str, tasks: DjangoTaskRepository
) -> None:
    if backend != "postgres":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite empties a table by DELETE")
    logged_tasks = add_due(tasks, 2)
    cancel(tasks, logged_tasks)
    # There is a log to empty: without one the truncate would prove nothing.
    assert logged(alias, logged_tasks) == {task.id: 1 for task in logged_tasks}
    assert_truncate_empties(alias, LOG)


@pytest.fixture
def migrated_back(alias: str) -> Iterator[None]:
    """The database migrated to just before 0026; migrated forward again afterwards."""
    with migrated_before(alias, MIGRATION):
        yield


@pytest.mark.usefixtures("migrated_back")
def test_the_migration_drops_the_key_and_keeps_the_log_s_own_triggers(alias: str) -> None:
    before = log_triggers(alias)
    assert foreign_keys(alias) and before

    migrate(alias, MIGRATION)

    assert foreign_keys(alias) == []
    assert log_triggers(alias) == before
