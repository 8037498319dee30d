"""Finding tasks by tag through each engine's index.

PostgreSQL: `tags @> '["x"]'`, served by the GIN index sched_task_tags_gin (jsonb_path_ops).
SQLite has no index into a JSON array; the side table scheduler_task_tag, which triggers
keep in step with the task table (migration 0019), maps each tag to its tasks' ids.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from scheduler_core.models import TaskRecord

SQLITE_TAGGED_SQL = "SELECT task_id FROM scheduler_task_tag WHERE tag = %s"


def tagged(rows: QuerySet[TaskRecord], tag: str) -> QuerySet[TaskRecord]:
    """The rows carrying `tag`."""
    if connections[rows.db].vendor == "postgresql":
        return rows.filter(tags__contains=[tag])
    return rows.filter(pk__in=RawSQL(SQLITE_TAGGED_SQL, [tag]))
