"""A claim reads a queue's head through the claim index, whatever the statistics say.

A database's statistics are only as fresh as its last ANALYZE. After a burst of new tasks
they still say that almost nothing waits, and a planner trusting them read the claim from
the oldest-due index, (queue, run_after), and sorted every due row of the queue, at every
claim: 53 ms a claim at 30,000 ready tasks. models.choices.not_for_claims keeps that index
out of the claim's reach; the oldest-due queries repeat its condition and still use it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from django.db import connections, transaction

from scheduler_core.models import TaskRecord
from scheduler_core.queries.stats import oldest_waiting_sql
from scheduler_core.storage import DjangoTaskRepository
from scheduler_core.storage.claim import POSTGRES_CLAIM_SQL, postgres_claim_params
from scheduler_core.storage.prepared import prepared_cursor

from .test_claim_rules import add_due

# Ready tasks in the burst: below some 20,000 here the planner's estimate of a table it
# knows nothing of still made it take the claim index.
BURST = 30_000
TAKEN = 10


def test_a_claim_reads_only_the_head_when_the_statistics_predate_a_burst(
    backend: str, alias: str, tasks: DjangoTaskRepository
) -> None:
    if backend != "postgres":
        pytest.skip("SQLite's claim names its index (INDEXED BY) and has no statistics")
    # Statistics gathered while every task had finished; then the table is emptied (which
    # keeps them, and leaves the planner to guess its size) and a burst comes in.
    add_due(tasks, 2000)
    TaskRecord.objects.using(alias).update(status="succeeded")
    with connections[alias].cursor() as cursor:
        cursor.execute("ANALYZE scheduler_task")
        cursor.execute("TRUNCATE scheduler_task CASCADE")
    add_copies(alias, add_due(tasks, 1)[0].id, BURST - 1)

    params = postgres_claim_params("w1", ["default"], TAKEN, [], timedelta(minutes=1))
    scans = list(task_scans(explain_analyze(alias, POSTGRES_CLAIM_SQL, params)))

    # Besides the claim index's scan, only the update's look-ups by primary key.
    read = {scan.get("Index Name", scan["Node Type"]): scan["Actual Rows"] for scan in scans}
    assert read.pop("sched_task_claim_idx", None) == TAKEN, read
    assert set(read) <= {"ModifyTable", "scheduler_task_pkey"}, read


def test_the_oldest_due_task_is_found_through_the_oldest_due_index(
    backend: str, alias: str, tasks: DjangoTaskRepository
) -> None:
    add_due(tasks, 50)
    sql = oldest_waiting_sql(connections[alias].vendor)
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        if backend == "postgres":
            # Fifty rows make a scan and a sort cheaper, and the statistics are whatever
            # earlier tests left; the question is whether the query can use the index.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, ["default"])
            indexes = {scan.get("Index Name") for scan in task_scans(cursor.fetchone()[0])}
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, ["default"])
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "TEMP B-TREE" not in plan, plan
            indexes = {word for word in plan.split() if word.startswith("sched_")}
    assert indexes == {"sched_task_waiting_idx"}


def add_copies(alias: str, task_id: UUID, count: int) -> None:
    """Store `count` copies of a task under new ids, in one statement."""
    columns = [str(field.column) for field in TaskRecord._meta.concrete_fields]
    columns.remove("id")
    listed = ", ".join(columns)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO scheduler_task (id, {listed}) SELECT gen_random_uuid(), {listed}"
            " FROM scheduler_task, generate_series(1, %s) WHERE id = %s",
            [count, task_id],
        )


def explain_analyze(alias: str, sql: str, params: list[Any]) -> Any:
    """The plan of `sql` as it ran, its changes rolled back: bound and prepared on the server,
    as a worker sends it."""
    with transaction.atomic(using=alias), prepared_cursor(alias) as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
        transaction.set_rollback(True, using=alias)
    return plan


def task_scans(plan: Any) -> Iterator[dict[str, Any]]:
    """The plan's nodes that read the task table."""
    nodes = json.loads(plan) if isinstance(plan, str) else plan
    stack = [node["Plan"] for node in nodes]
    while stack:
        node = stack.pop()
        if node.get("Relation Name") == "scheduler_task":
            yield node
        stack.extend(node.get("Plans", []))
