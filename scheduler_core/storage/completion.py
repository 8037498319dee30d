"""Storing many successful attempts at once: one fenced UPDATE per group, one event INSERT.

A supervisor finishes dozens of tasks per round. Written one by one, each costs an UPDATE,
an INSERT of its transition and (through the ORM) the compiling of both; here a round of
no-op tasks costs two statements. The fence is the same as update()'s: id, status running,
the attempt, its holder, and no cancel request the writer does not know of. RETURNING
tells which rows passed it; the others are left exactly as they were.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connections

from scheduler_core.domain import Task, TaskStatus
from scheduler_core.models import TaskRecord, exact_json

from .event_rows import insert_transitions
from .sqlite_plans import off_index

# Ids per statement: far below SQLite's variable limit, and a round is smaller anyway.
CHUNK = 500

SUCCEED_SQL = """
UPDATE scheduler_task
SET status = %s, result = %s, finished_at = %s, lease_expires_at = NULL
WHERE {g}status = %s AND {g}cancel_requested = %s AND {g}attempt = %s AND {g}worker_id = %s
  AND id IN ({ids})
RETURNING id
"""


def is_plain_success(task: Task) -> bool:
    """True for a task this module can store: succeeded, no cancel request pending."""
    return (
        task.status is TaskStatus.SUCCEEDED
        and not task.cancel_requested
        and task.lease_expires_at is None
        and task.finished_at is not None
    )


def store_successes(using: str, tasks: Sequence[Task]) -> set[UUID]:
    """Store the succeeded tasks whose row is still running at their attempt; their ids."""
    groups: dict[tuple[int, str | None, str, datetime], list[Task]] = defaultdict(list)
    for task in tasks:
        assert task.finished_at is not None
        key = (task.attempt, task.worker_id, exact_json.dumps(task.result), task.finished_at)
        groups[key].append(task)
    stored: set[UUID] = set()
    for group in groups.values():
        for first in range(0, len(group), CHUNK):
            stored |= _update(using, group[first : first + CHUNK])
    done = [task for task in tasks if task.id in stored]
    insert_transitions(using, [t for task in done for t in task.pending_transitions])
    for task in done:
        task.pending_transitions.clear()
    return stored


def _update(using: str, tasks: Sequence[Task]) -> set[UUID]:
    connection = connections[using]
    fields = TaskRecord._meta
    sample = tasks[0]
    params: list[Any] = [
        TaskStatus.SUCCEEDED.value,
        fields.get_field("result").get_db_prep_save(sample.result, connection),
        fields.get_field("finished_at").get_db_prep_save(sample.finished_at, connection),
        TaskStatus.RUNNING.value,
        False,
        sample.attempt,
        sample.worker_id,
        *(fields.pk.get_db_prep_save(task.id, connection) for task in tasks),
    ]
    sql = SUCCEED_SQL.format(ids=", ".join(["%s"] * len(tasks)), g=off_index(connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {_uuid(row[0]) for row in cursor.fetchall()}


def _uuid(value: Any) -> UUID:
    # PostgreSQL returns a UUID, SQLite the 32 hex digits Django stores.
    return value if isinstance(value, UUID) else UUID(str(value))
