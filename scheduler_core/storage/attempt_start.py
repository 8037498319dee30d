"""Stamping the moment held attempts began to run: one statement on PostgreSQL, one per
attempt number on SQLite.

A claim becomes an attempt the task has used only once its code starts: the rescue gives
a lost claim back when no start is stamped (Task.rescue). The supervisor hands the starts
to its outcome writer, which stamps a round's starts in the transaction of its outcomes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from uuid import UUID

from django.db import connections

from scheduler_core.models import TaskRecord

from .json_params import json_records, uuid_array
from .prepared import prepared_cursor
from .row_locks import LOCKED_IN_ID_ORDER

# Ids per statement on SQLite: far below its variable limit, and a round is smaller anyway.
CHUNK = 500

# SQLite's own clock, in the text form Django stores datetimes in. The guards' `+` keeps
# them off the status index: the rows are found by id (sqlite_plans.py).
_SQLITE_MARK_SQL = """
UPDATE scheduler_task SET attempt_started_at = strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')
WHERE +status = 'running' AND +worker_id = %s AND +attempt = %s
  AND +attempt_started_at IS NULL AND id IN ({ids})
"""
# PostgreSQL: the stamp of the starts in one statement, fenced per row by attempt and holder.
# The outcome writer's round (round_write.py) runs it beside its successes; a round of
# starts alone (tasks that outlive a writer round, most real tasks) runs it by itself,
# prepared: planned afresh, an IN list a new text for every size, it cost the server 0.79
# ms at the median in a run of single tasks, against 0.30 ms prepared. Its rows are locked
# lowest id first (row_locks.py), as the heartbeat locks them: met in heap order, the stamp
# of two rows and a heartbeat each held one the other wanted (test_writer_heartbeat_locks).
STAMPED = """
stamped AS (
    UPDATE scheduler_task AS t SET attempt_started_at = statement_timestamp()
    FROM json_to_recordset(%(starts)s::json) AS s(id uuid, attempt int, worker_id text), gate
    WHERE t.id = s.id AND t.status = 'running' AND t.attempt = s.attempt
      AND t.worker_id = s.worker_id AND t.attempt_started_at IS NULL
    RETURNING t.id
)"""
_START_FIELDS = ("id", "attempt", "worker_id")
_POSTGRES_MARK_SQL = f"WITH {LOCKED_IN_ID_ORDER},{STAMPED}\nSELECT count(*) FROM stamped"


def start_records(starts: Iterable[tuple[UUID, int, str | None]]) -> str:
    """The %(starts)s parameter of STAMPED: (task id, attempt, holder) of each start."""
    return json_records(_START_FIELDS, ((str(i), a, w) for i, a, w in starts))


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
                sql = _SQLITE_MARK_SQL.format(ids=", ".join(["%s"] * len(chunk)))
                prepared = [key.get_db_prep_save(task_id, connection) for task_id in chunk]
                cursor.execute(sql, [worker_id, attempt, *prepared])
                changed += cursor.rowcount
    return changed


def _mark_postgres(using: str, worker_id: str, held: Collection[tuple[UUID, int]]) -> int:
    pairs = sorted(held)
    params = {
        "all_ids": uuid_array(task_id for task_id, _ in pairs),
        "starts": start_records((task_id, attempt, worker_id) for task_id, attempt in pairs),
    }
    with prepared_cursor(using) as cursor:
        cursor.execute(_POSTGRES_MARK_SQL, params)
        row = cursor.fetchone()
    return int(row[0])
