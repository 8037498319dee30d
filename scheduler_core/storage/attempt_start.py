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

from .prepared import prepared_cursor

# Ids per statement on SQLite: far below its variable limit, and a round is smaller anyway.
CHUNK = 500

_MARK_SQL = """
UPDATE scheduler_task SET attempt_started_at = {now}
WHERE status = 'running' AND worker_id = %s AND attempt = %s
  AND attempt_started_at IS NULL AND id IN ({ids})
"""
# SQLite's own clock in the text form Django stores datetimes in.
_SQLITE_NOW = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')"
# PostgreSQL: one text for any number of ids, so it is prepared (prepared.py). Planned
# afresh (an IN list is a new text for every size), it cost the server 0.79 ms at the
# median in a run of single tasks; prepared, 0.22 ms. Each task that outlives a writer
# round has its start stamped here, alone, so every such task paid it. The array is
# matched through the primary key, whose scan takes the ids in order, as the IN list did.
_POSTGRES_MARK_SQL = """
UPDATE scheduler_task SET attempt_started_at = statement_timestamp()
WHERE status = 'running' AND worker_id = %s AND attempt = %s
  AND attempt_started_at IS NULL AND id = ANY(%s::uuid[])
"""


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
    if connection.vendor == "postgresql":
        return _mark_postgres(using, worker_id, held)
    key = TaskRecord._meta.pk
    assert key is not None
    changed = 0
    with connection.cursor() as cursor:
        for attempt, ids in ids_by_attempt(held).items():
            for first in range(0, len(ids), CHUNK):
                chunk = ids[first : first + CHUNK]
                sql = _MARK_SQL.format(now=_SQLITE_NOW, ids=", ".join(["%s"] * len(chunk)))
                prepared = [key.get_db_prep_save(task_id, connection) for task_id in chunk]
                cursor.execute(sql, [worker_id, attempt, *prepared])
                changed += cursor.rowcount
    return changed


def _mark_postgres(using: str, worker_id: str, held: Collection[tuple[UUID, int]]) -> int:
    changed = 0
    with prepared_cursor(using) as cursor:
        for attempt, ids in ids_by_attempt(held).items():
            cursor.execute(_POSTGRES_MARK_SQL, [worker_id, attempt, sorted(ids)])
            changed += cursor.rowcount
    return changed
