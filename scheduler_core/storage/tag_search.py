"""Finding tasks by tag through a side table, on both engines.

scheduler_task_tag maps each tag to its tasks' ids; triggers keep it in step with the task
table (SQLite since migration 0019, PostgreSQL since 0024). PostgreSQL first read a GIN
index of the task row's tags, which every change of a task's status wrote again.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from scheduler_core.models import TaskRecord

TAGGED_SQL = "SELECT task_id FROM scheduler_task_tag WHERE tag = %s"


def tagged(rows: QuerySet[TaskRecord], tag: str) -> QuerySet[TaskRecord]:
    """The rows carrying `tag`."""
    return rows.filter(pk__in=RawSQL(TAGGED_SQL, [tag]))
