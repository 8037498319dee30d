"""The suite's PostgreSQL test database: its flush (tests/fast_flush.py) leaves what TRUNCATE
leaves, and its commits do not wait for the disk (tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections

from scheduler_core.bootstrap import build_services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.services.submission import MAX_BATCH_SIZE
from tests.fast_flush import MANY_ROWS

pytestmark = pytest.mark.parametrize("database", ["postgres"])


def row_counts(alias: str) -> dict[str, int]:
    connection = connections[alias]
    tables = connection.introspection.django_table_names(only_existing=True)
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.parametrize("tasks", [3, MANY_ROWS + 1])
def test_a_flush_empties_every_table_and_counter(database: str, tasks: int) -> None:
    services = build_services("django", task_names=["demo.noop"], database="postgres")
    for start in range(0, tasks, MAX_BATCH_SIZE):
        size = min(MAX_BATCH_SIZE, tasks - start)
        services.tasks.submit_many([SubmitRequest(name="demo.noop") for _ in range(size)])
    before = row_counts("postgres")
    assert before["scheduler_task"] == tasks
    assert before["scheduler_queue_count"] > 0

    call_command("flush", database="postgres", interactive=False, verbosity=0)

    after = row_counts("postgres")
    # post_migrate puts back the content types and permissions, as after any flush.
    refilled = {"django_content_type", "auth_permission"}
    assert {table: n for table, n in after.items() if n and table not in refilled} == {}
    assert all(after[table] for table in refilled)


def test_the_postgres_test_database_commits_without_waiting_for_the_disk(database: str) -> None:
    with connections["postgres"].cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("off",)


def test_the_deletes_empty_the_counters_whatever_order_the_tables_come_in(database: str) -> None:
    # Django hands the flush a set of table names, so their order changes with the hash
    # seed. With the counters emptied first, deleting the tasks writes counter rows again.
    services = build_services("django", task_names=["demo.noop"], database="postgres")
    services.tasks.submit_many([SubmitRequest(name="demo.noop") for _ in range(3)])
    connection = connections["postgres"]
    tables = connection.introspection.django_table_names(only_existing=True)
    counters_first = sorted(tables, key=lambda table: table != "scheduler_queue_count")

    statements = connection.ops.sql_flush(no_style(), counters_first)
    assert not any(statement.startswith("TRUNCATE") for statement in statements)
    connection.ops.execute_sql_flush(statements)

    assert {table: n for table, n in row_counts("postgres").items() if n} == {}
