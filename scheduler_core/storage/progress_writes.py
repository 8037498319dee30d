"""Storing the progress running tasks report: one fenced UPDATE for a whole batch.

Reports come at most once a second per task (the worker coalesces them), and a batch
holds one per reporting task. One statement, in autocommit, stamps them all with the
database's clock as it writes: one round trip and one commit per batch, with no clock
read of its own (bench/progress_cost.py measures it). The fence is the lease's: id,
status running, the attempt and its holder; a report of an attempt the worker lost
changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.db import connections

from scheduler_core.domain.progress import Progress
from scheduler_core.models import TaskRecord, exact_json

# Reports per statement: far below SQLite's variable limit (3 each, plus the holder).
CHUNK = 300

_POSTGRES_SQL = """
UPDATE scheduler_task AS t
SET progress = jsonb_set(v.progress::jsonb, '{{at}}', to_jsonb(statement_timestamp()))
FROM (VALUES {rows}) AS v(id, attempt, progress)
WHERE t.id = v.id AND t.status = 'running' AND t.attempt = v.attempt AND t.worker_id = %s
"""
_POSTGRES_ROW = "(%s::uuid, %s::integer, %s::text)"
_SQLITE_SQL = """
UPDATE scheduler_task
SET progress = json_set(v.progress, '$.at', strftime('%%Y-%%m-%%dT%%H:%%M:%%f+00:00', 'now'))
FROM (SELECT column1 AS id, column2 AS attempt, column3 AS progress FROM (VALUES {rows})) AS v
WHERE scheduler_task.id = v.id AND scheduler_task.status = 'running'
  AND scheduler_task.attempt = v.attempt AND scheduler_task.worker_id = %s
"""
_SQLITE_ROW = "(%s, %s, %s)"


def store_progress(
    using: str, worker_id: str, reports: Sequence[tuple[UUID, int, Progress]]
) -> int:
    """Write the reports of attempts the worker still holds; how many rows changed."""
    connection = connections[using]
    postgres = connection.vendor == "postgresql"
    sql, row = (_POSTGRES_SQL, _POSTGRES_ROW) if postgres else (_SQLITE_SQL, _SQLITE_ROW)
    key = TaskRecord._meta.pk
    assert key is not None
    changed = 0
    with connection.cursor() as cursor:
        for first in range(0, len(reports), CHUNK):
            chunk = reports[first : first + CHUNK]
            params: list[Any] = []
            for task_id, attempt, progress in chunk:
                text = exact_json.dumps(progress.as_json())
                params += [key.get_db_prep_save(task_id, connection), attempt, text]
            cursor.execute(sql.format(rows=", ".join([row] * len(chunk))), [*params, worker_id])
            changed += cursor.rowcount
    return changed
