"""Claiming a batch of due tasks in one atomic step, per database engine.

This is the hottest path of the scheduler, so it is raw SQL: the ORM would spend longer
compiling the statements than the database spends running them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import connections, transaction

from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.status import EXITED_WORKER_STATES
from scheduler_core.models import TaskRecord
from scheduler_core.models.choices import WAITING_VALUES
from scheduler_core.models.task import CLAIM_INDEX

from .claim_limits import cap_to_queue_limits, limited_queues
from .claim_rates import cap_to_queue_rates, rated_queues
from .db_clock import DatabaseClock
from .event_rows import insert_event_rows
from .prepared import prepared_cursor
from .raw_tasks import tasks_of
from .sqlite_locks import retry_when_locked

_WAITING_SQL = ", ".join(f"'{value}'" for value in WAITING_VALUES)
_EXITED_SQL = ", ".join(f"'{state.value}'" for state in EXITED_WORKER_STATES)
# A worker declared dead (or stopped) claims nothing: it comes back under a new id. A
# claimer without a row (a test, a script) is not held back.
_CLAIMER_ALIVE = (
    f"NOT EXISTS (SELECT 1 FROM scheduler_worker WHERE id = %s AND state IN ({_EXITED_SQL}))"
)
# A queue with a limit row this claim did not lock and count (claim_limits.py: its snapshot
# of limited queues was stale) is skipped, never claimed past its limit.
_UNLOCKED_LIMITS = (
    "name NOT IN (SELECT queue FROM scheduler_queue_limit WHERE queue <> ALL(%s::text[]))"
)
_COLUMN_NAMES = [str(field.column) for field in TaskRecord._meta.concrete_fields]
_COLUMNS = ", ".join(f"t.{name}" for name in _COLUMN_NAMES)
# SQLite's RETURNING takes bare column names only.
_BARE_COLUMNS = ", ".join(_COLUMN_NAMES)

# One statement: lock due rows nobody else holds, mark them running, log the transition.
# Prepared (prepared.py): its plan costs the server about as much as running it, and a
# worker sends it with the same text many times a second.
# statement_timestamp() is the database clock, the same for every worker on every machine.
#
# Each queue is read by its own ordered scan of the claim index (LATERAL), at most `limit`
# rows, and the queues' heads are merged by priority: a claim costs the same at any
# backlog. `queue = ANY(%s)` over the whole list cannot use the index in order and sorted
# every waiting row instead (110 ms against 0.3 ms at 300,000 ready tasks in 3 queues).
# Rows a queue's scan locked but the merge left out are unlocked at the commit, moments
# later.
POSTGRES_CLAIM_SQL = f"""
WITH picked AS (
    SELECT head.id, head.status
    FROM (
        SELECT name FROM unnest(%s::text[]) AS q(name)
        WHERE name NOT IN (SELECT queue FROM scheduler_queue_pause) AND {_CLAIMER_ALIVE}
          AND {_UNLOCKED_LIMITS}
    ) AS q
    CROSS JOIN LATERAL (
        SELECT id, status, priority, run_after FROM scheduler_task
        WHERE status IN ({_WAITING_SQL}) AND queue = q.name
          AND run_after <= statement_timestamp()
        ORDER BY priority DESC, run_after, id
        LIMIT %s
        FOR UPDATE SKIP LOCKED
    ) AS head
    ORDER BY head.priority DESC, head.run_after, head.id
    LIMIT %s
), claimed AS (
    UPDATE scheduler_task AS t
    SET status = 'running',
        attempt = t.attempt + 1,
        worker_id = %s,
        worker_ids = t.worker_ids || jsonb_build_array(%s::text),
        started_at = statement_timestamp(),
        first_started_at = COALESCE(t.first_started_at, statement_timestamp()),
        finished_at = NULL,
        attempt_started_at = NULL,
        lease_expires_at = statement_timestamp() + %s * interval '1 second'
    FROM picked
    WHERE t.id = picked.id
    RETURNING {_COLUMNS}, picked.status AS from_status
), logged AS (
    INSERT INTO scheduler_task_event (task_id, from_status, to_status, at, attempt, actor, reason)
    SELECT id, from_status, 'running', started_at, attempt, %s, '' FROM claimed
)
SELECT * FROM claimed
"""

# One ordered scan of the claim index per queue, merged, as on PostgreSQL: with
# `queue IN (...)` SQLite sorted every waiting row of the queues (136 ms against 0.1 ms at
# 300,000 ready tasks in 3 queues). The index is named: without statistics (ANALYZE has
# never run on a database that only migrate and the workers touched) SQLite's planner
# chose the (queue, run_after) index, which serves `run_after <=` but not the order, and
# sorted every due row of the queue under the write lock: 6.9 ms a claim at 20,000 ready
# tasks, growing with the backlog, against 27 µs through the claim index.
SQLITE_QUEUE_HEAD_SQL = f"""
SELECT * FROM (
    SELECT id, status, priority, run_after FROM scheduler_task INDEXED BY {CLAIM_INDEX}
    WHERE status IN ({_WAITING_SQL}) AND queue = %s AND run_after <= %s
      AND queue NOT IN (SELECT queue FROM scheduler_queue_pause)
    ORDER BY priority DESC, run_after, id
    LIMIT %s
)"""
SQLITE_PICK_SQL = f"""
SELECT id, status FROM ({{heads}})
WHERE {_CLAIMER_ALIVE}
ORDER BY priority DESC, run_after, id
LIMIT %s
"""

SQLITE_UPDATE_SQL = f"""
UPDATE scheduler_task
SET status = 'running',
    attempt = attempt + 1,
    worker_id = %s,
    worker_ids = json_insert(worker_ids, '$[#]', %s),
    started_at = %s,
    first_started_at = COALESCE(first_started_at, %s),
    finished_at = NULL,
    attempt_started_at = NULL,
    lease_expires_at = %s
WHERE id IN ({{ids}})
RETURNING {_BARE_COLUMNS}
"""


def claim_ready_tasks(
    using: str, worker_id: str, queues: Sequence[str], limit: int, lease: timedelta
) -> list[Task]:
    """Mark up to `limit` due tasks of `queues` running for the worker; return them (without
    their errors: Queue.claim reads those of the retried ones)."""
    if connections[using].vendor == "postgresql":
        return _claim_postgres(using, worker_id, queues, limit, lease)
    return retry_when_locked(lambda: _claim_sqlite(using, worker_id, queues, limit, lease))


def _claim_postgres(
    using: str, worker_id: str, queues: Sequence[str], limit: int, lease: timedelta
) -> list[Task]:
    if limited_queues(using).isdisjoint(queues) and rated_queues(using).isdisjoint(queues):
        # Neither limits nor rates apply (as this process's snapshots say; the statement
        # itself guards against a stale one): the claim is one statement, its own
        # transaction, without the BEGIN and COMMIT round trips of a block.
        return _claim_statement(using, worker_id, queues, limit, [], lease)
    with transaction.atomic(using=using):
        # Queue concurrency limits (claim_limits.py): locks the limit rows of limited queues
        # only, then narrows the queues and the batch; unlimited queues pass unchanged.
        capped = cap_to_queue_limits(using, queues, limit)
        # Rate limits (claim_rates.py): nothing at all unless a claimed queue has a rate.
        queues, limit, rated = cap_to_queue_rates(using, capped.queues, capped.batch)
        if not queues:
            return [] if rated is None else rated.finish([], worker_id, lease)
        records = _claim_statement(using, worker_id, queues, limit, capped.locked, lease)
        return records if rated is None else rated.finish(records, worker_id, lease)


def _claim_statement(
    using: str,
    worker_id: str,
    queues: Sequence[str],
    limit: int,
    locked: list[str],
    lease: timedelta,
) -> list[Task]:
    """Run the PostgreSQL claim; `locked` names the limited queues whose rows are held."""
    params = postgres_claim_params(worker_id, queues, limit, locked, lease)
    with prepared_cursor(using) as cursor:
        cursor.execute(POSTGRES_CLAIM_SQL, params)
        rows = cursor.fetchall()
    return tasks_of(using, rows)


def postgres_claim_params(
    worker_id: str, queues: Sequence[str], limit: int, locked: list[str], lease: timedelta
) -> list[Any]:
    """The parameters of POSTGRES_CLAIM_SQL, in its order."""
    return [
        list(queues),
        worker_id,
        locked,
        limit,
        limit,
        worker_id,
        worker_id,
        lease.total_seconds(),
        worker_id,
    ]


def _claim_sqlite(
    using: str, worker_id: str, queues: Sequence[str], limit: int, lease: timedelta
) -> list[Task]:
    connection = connections[using]
    # The settings open every transaction with BEGIN IMMEDIATE, so the write lock is held
    # from the first read: no other process can pick the same rows in between.
    with transaction.atomic(using=using):
        # Queue concurrency limits (claim_limits.py), counted under the write lock.
        capped = cap_to_queue_limits(using, queues, limit)
        queues, limit, rated = cap_to_queue_rates(using, capped.queues, capped.batch)
        if not queues:
            return [] if rated is None else rated.finish([], worker_id, lease)
        now = DatabaseClock(using).now()
        stored_now = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            heads = " UNION ALL ".join([SQLITE_QUEUE_HEAD_SQL] * len(queues))
            params: list[Any] = [v for queue in queues for v in (queue, stored_now, limit)]
            cursor.execute(SQLITE_PICK_SQL.format(heads=heads), [*params, worker_id, limit])
            picked: list[tuple[str, str]] = cursor.fetchall()
        if not picked:
            return [] if rated is None else rated.finish([], worker_id, lease)
        ids = [task_id for task_id, _ in picked]
        stored_lease_end = connection.ops.adapt_datetimefield_value(now + lease)
        sql = SQLITE_UPDATE_SQL.format(ids=", ".join(["%s"] * len(ids)))
        params = [worker_id, worker_id, stored_now, stored_now, stored_lease_end, *ids]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            records = tasks_of(using, cursor.fetchall())
        from_status = dict(picked)
        running = TaskStatus.RUNNING.value
        insert_event_rows(
            using,
            [
                (r.id, from_status[r.id.hex], running, now, r.attempt, worker_id, "")
                for r in records
            ],
        )
        return records if rated is None else rated.finish(records, worker_id, lease)
