"""Task rows read by raw SQL (storage/raw_records.py) are the ORM's own, field for field.

They bypass RawQuerySet and apply the fields' converters themselves, so they must equal
what a queryset loads on either engine, in every column, and behave as loaded instances
(saved as updates, not inserts).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connections

from scheduler_core.models import TaskRecord
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository
from scheduler_core.storage.raw_records import records_of

from .test_claim_rules import add_due

COLUMNS = ", ".join(f'"{field.column}"' for field in TaskRecord._meta.concrete_fields)


def test_raw_rows_load_as_the_orm_loads_them(
    alias: str, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    add_due(tasks, 3)
    # A claimed row has its worker, lease and attempt columns filled in too.
    queue.claim("w1", ["default"], 1, timedelta(minutes=1))
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM scheduler_task ORDER BY id")
        rows = cursor.fetchall()

    raw = records_of(alias, rows)
    loaded = list(TaskRecord.objects.using(alias).order_by("id"))

    assert [vars_of(record) for record in raw] == [vars_of(record) for record in loaded]
    assert [(r._state.adding, r._state.db) for r in raw] == [(False, alias)] * len(rows)


def test_a_raw_record_saves_as_an_update(alias: str, tasks: DjangoTaskRepository) -> None:
    add_due(tasks, 1)
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM scheduler_task")
        (record,) = records_of(alias, cursor.fetchall())

    record.priority = 7
    record.save(using=alias, update_fields=["priority"])

    assert TaskRecord.objects.using(alias).get().priority == 7


def vars_of(record: TaskRecord) -> dict[str, object]:
    fields = TaskRecord._meta.concrete_fields
    return {field.attname: getattr(record, field.attname) for field in fields}
