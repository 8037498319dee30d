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


def ids_by_attempt(held: Collection[tuple[UUID, int]]) -> dict[int, list[UUID]]:
    """The task ids of (task id, attempt) pairs, by attempt: most tasks are on their first,
    so a fenced statement per attempt number stays short and finds rows by primary key."""
    grouped: dict[int, list[UUID]] = {}
    for task_id, attempt in held:
        grouped.setdefault(attempt, []).append(task_id)
    return grouped


def mark_attempts_started(using: str, worker_id: str, held: Collection[tuple[UUID, int]]) -> int:
    """Stamp the start of the (task id, attempt) pairs the worker still holds; how many."""
    connection = connections[using]
    now = "statement_timestamp()" if connection.vendor == "postgresql" else _SQLITE_NOW
    key = TaskRecord._meta.pk
    assert key is not None
    changed = 0
    with connection.cursor() as cursor:
        for attempt, ids in ids_by_attempt(held).items():
            for first in range(0, len(ids), CHUNK):
                chunk = ids[first : first + CHUNK]
                sql = _MARK_SQL.format(now=now, ids=", ".join(["%s"] * len(chunk)))
                prepared = [key.get_db_prep_save(task_id, connection) for task_id in chunk]
                cursor.execute(sql, [worker_id, attempt, *prepared])
                changed += cursor.rowcount
    return changed
