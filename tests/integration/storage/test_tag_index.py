"""The tag filter is served by a side table on both engines, kept in step by triggers, and no
index of the task row reads the tags (PostgreSQL since migration 0024)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connections, transaction

from scheduler_core.domain import TaskFilter, TaskStatus
from scheduler_core.models import TaskRecord
from scheduler_core.storage import DjangoTaskRepository
from scheduler_core.storage.task_listing import filtered

from .schema import (
    assert_truncate_empties,
    cancel_and_prune,
    index_definitions,
    migrate,
    migrated_before,
    parent_of,
    postgres_index_names,
)
from .test_claim_rules import add_due


def test_the_tag_filter_reads_the_tag_index(
    backend: str, alias: str, tasks: DjangoTaskRepository
) -> None:
    if backend == "postgres":
        # As earlier tests leave it: rows deleted by the flush, statistics gathered.
        add_due(tasks, 200, tags=["other"])
        TaskRecord.objects.using(alias).all().delete()
        with connections[alias].cursor() as cursor:
            cursor.execute("ANALYZE scheduler_task")
    add_due(tasks, 5, tags=["customer:42"])
    rows = filtered(TaskRecord.objects.using(alias), TaskFilter(tag="customer:42"))
    sql, params = rows.query.get_compiler(using=alias).as_sql()
    connection = connections[alias]

    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if backend == "postgres":
            # Five rows make a scan cheaper; what matters is that the index can serve it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())

    if backend == "postgres":
        assert "scheduler_task_tag_pkey" in plan, plan
    else:
        assert "scheduler_task_tag USING" in plan and "PRIMARY KEY" in plan, plan
    assert rows.count() == 5


MIGRATION = ("scheduler_core", "0024_tags_beside_the_task_row")
# What the tag table holds, computed afresh from the task table.
FRESH_TAG_ROWS = {
    "postgresql": "SELECT DISTINCT x.tag, t.id FROM scheduler_task AS t "
    "CROSS JOIN LATERAL jsonb_array_elements_text(t.tags) AS x(tag)",
    "sqlite": "SELECT DISTINCT j.value, t.id FROM scheduler_task AS t, json_each(t.tags) AS j",
}


def assert_tags_in_step(alias: str) -> None:
    """The tag table holds exactly the (tag, task) pairs of the task table's rows."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tag, task_id FROM scheduler_task_tag")
        live = {(tag, str(task_id).replace("-", "")) for tag, task_id in cursor.fetchall()}
        cursor.execute(FRESH_TAG_ROWS[connection.vendor])
        fresh = {(tag, str(task_id).replace("-", "")) for tag, task_id in cursor.fetchall()}
    assert live == fresh
    assert live, "the check compares nothing"


def tagged_count(alias: str, tag: str) -> int:
    return filtered(TaskRecord.objects.using(alias), TaskFilter(tag=tag)).count()


def insert_raw(alias: str, tags_json: str) -> None:
    """Insert a ready task by hand, as a raw writer (or the code before 0024) would, its
    tags given as JSON text; the columns not named take their defaults."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "INSERT INTO scheduler_task (id, name, args, kwargs, queue, priority, status, "
            "attempt, max_attempts, run_after, enqueued_at, worker_ids, cancel_requested, "
            "tags) VALUES (gen_random_uuid(), 'demo.noop', '[]', '{}', 'default', 0, "
            "'ready', 0, 3, now(), now(), '[]', false, %s::jsonb)",
            [tags_json],
        )


def test_the_triggers_keep_the_tag_table_in_step(alias: str, tasks: DjangoTaskRepository) -> None:
    one, two = add_due(tasks, 2, tags=["red", "blue"])
    add_due(tasks, 3)
    assert_tags_in_step(alias)
    assert (tagged_count(alias, "red"), tagged_count(alias, "blue")) == (2, 2)

    # Nothing in the domain rewrites tags; an operator or a data fix might.
    TaskRecord.objects.using(alias).filter(id=one.id).update(tags=["green"])
    assert_tags_in_step(alias)
    assert (tagged_count(alias, "red"), tagged_count(alias, "green")) == (1, 1)

    # A state change through the ORM writes every column, the tags as they were.
    two.claim("w1", now=tasks.clock.now(), lease=timedelta(minutes=1))
    tasks.update(two, expected_status=TaskStatus.READY, expected_attempt=0)
    assert_tags_in_step(alias)

    assert cancel_and_prune(tasks, [one]) == 1
    assert_tags_in_step(alias)
    assert tagged_count(alias, "green") == 0

    assert_truncate_empties(alias, "scheduler_task_tag")


@pytest.mark.parametrize("backend", ["postgres"])
def test_tags_that_are_no_list_never_fail_a_write(alias: str) -> None:
    """A raw writer may store any JSON; the triggers must not fail its insert, update or
    delete for it. A row whose tags are no array has no tags to find."""
    tasks = DjangoTaskRepository(alias)
    (task,) = add_due(tasks, 1, tags=["kept"])
    with connections[alias].cursor() as cursor:
        not_a_list = "UPDATE scheduler_task SET tags = '{\"a\": 1}'::jsonb WHERE id = %s"
        cursor.execute(not_a_list, [task.id])
    insert_raw(alias, '"a string"')
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM scheduler_task_tag")
        assert cursor.fetchone()[0] == 0
        cursor.execute("DELETE FROM scheduler_task")
    assert TaskRecord.objects.using(alias).count() == 0


def test_no_index_of_the_task_row_reads_the_tags(alias: str) -> None:
    """As with the arguments (test_argument_search_index.py): an index over the tags would
    be written again at every change of a task's status, none of which can be HOT."""
    indexes = index_definitions(alias, "scheduler_task")
    assert [name for name, sql in indexes.items() if "tags" in sql.lower()] == []


@pytest.fixture
def before_the_tag_table(alias: str) -> Iterator[None]:
    """The database migrated to just before 0024; migrated forward again afterwards."""
    with migrated_before(alias, MIGRATION):
        yield


@pytest.mark.parametrize("backend", ["postgres"])
@pytest.mark.usefixtures("before_the_tag_table")
def test_the_tag_table_migration_backfills_and_reverses(
    alias: str, tasks: DjangoTaskRepository
) -> None:
    assert postgres_index_names(alias, "%tag%") == {"sched_task_tags_gin"}
    insert_raw(alias, '["before-0024"]')

    migrate(alias, MIGRATION)

    assert postgres_index_names(alias, "%tag%") == {"scheduler_task_tag_pkey"}
    assert_tags_in_step(alias)
    assert tagged_count(alias, "before-0024") == 1

    migrate(alias, parent_of(alias, MIGRATION))
    assert postgres_index_names(alias, "%tag%") == {"sched_task_tags_gin"}
