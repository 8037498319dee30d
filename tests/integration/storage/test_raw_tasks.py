"""Task rows read by raw SQL (storage/raw_tasks.py) are the tasks the ORM path maps.

They bypass model instances and apply the fields' converters themselves, so each must
equal, field for field, the task mapped from what a queryset loads, on either engine.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from django.db import connections

from scheduler_core.domain.progress import Progress
from scheduler_core.models import TaskRecord
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository
from scheduler_core.storage.mapping import task_from_record
from scheduler_core.storage.raw_tasks import tasks_of

from .test_claim_rules import add_due

COLUMNS = ", ".join(f'"{field.column}"' for field in TaskRecord._meta.concrete_fields)


def test_raw_rows_map_to_the_tasks_the_orm_rows_do(
    alias: str, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    add_due(tasks, 3)
    # A claimed row has its worker, lease and attempt columns filled in too; one with
    # progress, tags and a result has the JSON columns filled in.
    queue.claim("w1", ["default"], 1, timedelta(minutes=1))
    TaskRecord.objects.using(alias).filter(
        id=TaskRecord.objects.using(alias).order_by("id").values("id")[:1]
    ).update(
        tags=["a", "b"],
        result={"n": 1.5, "s": "é"},
        progress=Progress(done=2, total=5, message="half").as_json(),
    )
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS}, 'an extra column' FROM scheduler_task ORDER BY id")
        rows = cursor.fetchall()

    raw = tasks_of(alias, rows)
    loaded = [task_from_record(r) for r in TaskRecord.objects.using(alias).order_by("id")]

    assert [asdict(task) for task in raw] == [asdict(task) for task in loaded]
    assert {task.status.value for task in raw} == {"running", "ready"}
    assert any(task.progress is not None and task.tags == ["a", "b"] for task in raw)


def test_empty_json_columns_are_new_values_for_each_task(
    alias: str, tasks: DjangoTaskRepository
) -> None:
    add_due(tasks, 2)
    TaskRecord.objects.using(alias).update(args=[], kwargs={})
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM scheduler_task ORDER BY id")
        first, second = tasks_of(alias, cursor.fetchall())

    # Taken without the parser, but never one list or dict shared between tasks.
    first.args.append("changed")
    first.kwargs["changed"] = True
    first.tags.append("changed")
    assert (second.args, second.kwargs, second.tags) == ([], {}, [])
