"""The tag filter is served by an index on both engines, not by reading every task's tags."""

from __future__ import annotations

from django.db import connections, transaction

from scheduler_core.domain import TaskFilter
from scheduler_core.models import TaskRecord
from scheduler_core.storage import DjangoTaskRepository
from scheduler_core.storage.task_listing import filtered

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
            # Nor a walk of the listing's index in its order, filtering each row's tags:
            # once earlier tests' rows were deleted and analyzed, that won on cost (a
            # run with four test processes). A GIN index is read by a bitmap scan only.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())

    if backend == "postgres":
        assert "sched_task_tags_gin" in plan, plan
    else:
        assert "scheduler_task_tag USING" in plan and "PRIMARY KEY" in plan, plan
    assert rows.count() == 5
