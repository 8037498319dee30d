"""Promotion: due scheduled and retrying rows shown as ready, in one atomic step per batch.

Claims already take due scheduled and retrying rows, so this changes what dashboards and
counts show, never when a task runs. Every write is guarded by the status and run_after
it was picked with, so a claim that got to a row first keeps it.
"""

from __future__ import annotations

from uuid import UUID

from django.db import connections, transaction

from scheduler_core.domain import TaskStatus
from scheduler_core.domain.task import PROMOTED, PROMOTER
from scheduler_core.models import TaskEvent
from scheduler_core.models.choices import DELAYED_VALUES
from scheduler_core.models.task import DELAYED_INDEX

from .db_clock import DatabaseClock
from .sqlite_locks import retry_when_locked

# In the order of the delayed index's predicate, or SQLite cannot use the index at all.
_PROMOTABLE_SQL = ", ".join(f"'{value}'" for value in DELAYED_VALUES)

# One statement: lock due rows no claimer holds, mark them ready, log the transition. A claim
# skips the rows locked here for as long as this statement runs, and this skips the ones a
# claim holds; statement_timestamp() is the clock claims judge due-ness by.
POSTGRES_PROMOTE_SQL = f"""
WITH picked AS (
    SELECT id, status FROM scheduler_task
    WHERE status IN ({_PROMOTABLE_SQL}) AND run_after <= statement_timestamp()
    ORDER BY run_after, id
    LIMIT %s
    FOR UPDATE SKIP LOCKED
), promoted AS (
    UPDATE scheduler_task AS t
    SET status = 'ready'
    FROM picked
    WHERE t.id = picked.id
      AND t.status IN ({_PROMOTABLE_SQL}) AND t.run_after <= statement_timestamp()
    RETURNING t.id, t.attempt, picked.status AS from_status
), logged AS (
    INSERT INTO scheduler_task_event (task_id, from_status, to_status, at, attempt, actor, reason)
    SELECT id, from_status, 'ready', statement_timestamp(), attempt, %s, %s FROM promoted
)
SELECT count(*) FROM promoted
"""

# The index is named, and its predicate repeated as written: SQLite took the status index
# and sorted every delayed row on each pass (4.4 ms at 20,000 scheduled tasks, statistics
# or none, against 2 µs through the delayed index). The update finds its rows by id; the
# `+` keeps its guards off the status index (sqlite_plans.py).
SQLITE_PICK_SQL = f"""
SELECT id, status FROM scheduler_task INDEXED BY {DELAYED_INDEX}
WHERE status IN ({_PROMOTABLE_SQL}) AND run_after <= %s
ORDER BY run_after, id
LIMIT %s
"""

SQLITE_UPDATE_SQL = f"""
UPDATE scheduler_task
SET status = 'ready'
WHERE id IN ({{ids}}) AND +status IN ({_PROMOTABLE_SQL}) AND +run_after <= %s
RETURNING id, attempt
"""


def promote_due_tasks(using: str, limit: int) -> int:
    """Mark up to `limit` due scheduled or retrying tasks ready, logged; return how many."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if connections[using].vendor == "postgresql":
        with connections[using].cursor() as cursor:
            cursor.execute(POSTGRES_PROMOTE_SQL, [limit, PROMOTER, PROMOTED])
            promoted: int = cursor.fetchone()[0]
            return promoted
    return retry_when_locked(lambda: _promote_sqlite(using, limit))


def _promote_sqlite(using: str, limit: int) -> int:
    connection = connections[using]
    # The settings open every transaction with BEGIN IMMEDIATE, so no claim can slip in
    # between the pick and the update; the guard in the update says so all the same.
    with transaction.atomic(using=using):
        now = DatabaseClock(using).now()
        stored_now = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_PICK_SQL, [stored_now, limit])
            picked: dict[str, str] = dict(cursor.fetchall())
            if not picked:
                return 0
            sql = SQLITE_UPDATE_SQL.format(ids=", ".join(["%s"] * len(picked)))
            cursor.execute(sql, [*picked, stored_now])
            promoted: list[tuple[str, int]] = cursor.fetchall()
        TaskEvent.objects.using(using).bulk_create(
            TaskEvent(
                task_id=UUID(task_id),
                from_status=picked[task_id],
                to_status=TaskStatus.READY.value,
                at=now,
                attempt=attempt,
                actor=PROMOTER,
                reason=PROMOTED,
            )
            for task_id, attempt in promoted
        )
        return len(promoted)
