"""Stamping the moment held attempts began to run, in one statement per attempt number.

A claim becomes an attempt the task has used only once its code starts: the rescue gives
a lost claim back when no start is stamped (Task.rescue). The supervisor hands the starts
to its outcome writer, which stamps a round's starts in the transaction of its outcomes.
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from django.db import connections

from scheduler_core.models import TaskRecord

# Ids per statement: far below SQLite's variable limit, and a round is smaller anyway.
CHUNK = 500

_MARK_SQL = """
UPDATE scheduler_task SET attempt_started_at = {now}
WHERE status = 'running' AND worker_id = %s AND attempt = %s
  AND attempt_started_at IS NULL AND id IN ({ids})
"""
# SQLite's own clock in the text form Django stores datetimes in.
_SQLITE_NOW = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')"


def mark_attempts_started(using: str, worker_id: str, held: Collection[tuple[UUID, int]]) -> int:
    """Stamp the start of the (task id, attempt) pairs the worker still holds; how many."""
    connection = connections[using]
    now = "statement_timestamp()" if connection.vendor == "postgresql" else _SQLITE_NOW
    by_attempt: dict[int, list[UUID]] = {}
    for task_id, attempt in held:
        by_attempt.setdefault(attempt, []).append(task_id)
    key = TaskRecord._meta.pk
    assert key is not None
    changed = 0
    with connection.cursor() as cursor:
        for attempt, ids in by_attempt.items():
            for first in range(0, len(ids), CHUNK):
                chunk = ids[first : first + CHUNK]
                sql = _MARK_SQL.format(now=now, ids=", ".join(["%s"] * len(chunk)))
                prepared = [key.get_db_prep_save(task_id, connection) for task_id in chunk]
                cursor.execute(sql, [worker_id, attempt, *prepared])
                changed += cursor.rowcount
    return changed
