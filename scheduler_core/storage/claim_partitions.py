"""Claiming from a queue whose rate is split by a keyword argument (QueueRate.partition_by).

Each value of the argument (a customer, say) has a bucket of its own, so the one claim
statement of claim.py, which knows nothing of arguments, cannot serve such a queue. Here,
under the lock of the queue's rate row (claim_rates.py), which makes every claimer of the
queue take turns: the buckets are read, the queue's head is picked leaving out the
partitions with no whole token (so one busy customer does not hold back the others), each
partition takes at most its tokens in claim order, and the chosen rows are claimed as the
main claim does (running, next attempt, lease, a transition row each).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from django.db import connections

from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.queue_rates import (
    PARTITION_PATTERN,
    QueueRate,
    RateBucket,
    full_bucket,
    partition_of,
    tokens_now,
)
from scheduler_core.domain.status import EXITED_WORKER_STATES
from scheduler_core.models import TaskRecord
from scheduler_core.models.choices import WAITING_VALUES

from .event_rows import insert_event_rows
from .mapping import task_from_record

# Picked rows per token left in the claim: the head may hold more of one partition than it
# has tokens for; those are passed over, and the next claim leaves that partition out.
PICK_FACTOR = 2

_WAITING_SQL = ", ".join(f"'{value}'" for value in WAITING_VALUES)
_EXITED_SQL = ", ".join(f"'{state.value}'" for state in EXITED_WORKER_STATES)
_COLUMNS = ", ".join(str(field.column) for field in TaskRecord._meta.concrete_fields)

PICK_SQL = f"""
SELECT id, status, {{part}} AS part FROM scheduler_task
WHERE status IN ({_WAITING_SQL}) AND queue = %s AND run_after <= %s
  AND queue NOT IN (SELECT queue FROM scheduler_queue_pause)
  AND NOT EXISTS (SELECT 1 FROM scheduler_worker WHERE id = %s AND state IN ({_EXITED_SQL}))
  {{left_out}}
ORDER BY priority DESC, run_after, id
LIMIT %s{{lock}}
"""
# The same columns, values and order of parameters as claim.py's SQLITE_UPDATE_SQL.
POSTGRES_UPDATE_SQL = f"""
UPDATE scheduler_task
SET status = 'running',
    attempt = attempt + 1,
    worker_id = %s,
    worker_ids = worker_ids || jsonb_build_array(%s::text),
    started_at = %s,
    first_started_at = COALESCE(first_started_at, %s),
    finished_at = NULL,
    attempt_started_at = NULL,
    lease_expires_at = %s
WHERE id IN ({{ids}})
RETURNING {_COLUMNS}
"""
BUCKETS_SQL = (
    "SELECT partition, tokens, refilled_at FROM scheduler_queue_rate_bucket WHERE queue = %s"
)
# A bucket untouched for a whole period has refilled: no row says the same.
FORGET_FULL_SQL = "DELETE FROM scheduler_queue_rate_bucket WHERE queue = %s AND refilled_at < %s"
SPEND_SQL = (
    "INSERT INTO scheduler_queue_rate_bucket (queue, partition, tokens, refilled_at)"
    " VALUES (%s, %s, %s, %s) ON CONFLICT (queue, partition)"
    " DO UPDATE SET tokens = excluded.tokens, refilled_at = excluded.refilled_at"
)


def partition_sql(vendor: str, argument: str) -> str:
    """The partition of a row in SQL, as domain.queue_rates.partition_of spells it.

    `argument` is a Python name (PARTITION_PATTERN), so it is safe inline.
    """
    if not PARTITION_PATTERN.fullmatch(argument):
        raise ValueError(f"{argument!r} is not a keyword argument's name")
    if vendor == "postgresql":
        return f"COALESCE(kwargs ->> '{argument}', '')"
    path = f"'$.{argument}'"
    # SQLite's -> gives a string in quotes; the text of a string is the string itself.
    return (
        f"COALESCE(CASE json_type(kwargs, {path}) WHEN 'text' THEN json_extract(kwargs, {path})"
        f" WHEN 'null' THEN '' ELSE kwargs -> {path} END, '')"
    )


def claim_partitioned(
    using: str,
    queue: str,
    rate: QueueRate,
    *,
    worker_id: str,
    now: datetime,
    lease: timedelta,
    budget: int,
) -> list[Task]:
    """Claim up to `budget` tasks of `queue`, each partition within its own tokens."""
    assert rate.partition_by is not None
    connection = connections[using]
    adapt = connection.ops.adapt_datetimefield_value
    tokens = _tokens(using, queue, rate, now)
    spent_out = sorted(partition for partition, left in tokens.items() if left < 1)
    part = partition_sql(connection.vendor, rate.partition_by)
    left_out = f"AND {part} NOT IN ({', '.join(['%s'] * len(spent_out))})" if spent_out else ""
    is_postgres = connection.vendor == "postgresql"
    sql = PICK_SQL.format(
        part=part, left_out=left_out, lock=" FOR UPDATE SKIP LOCKED" if is_postgres else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [queue, adapt(now), worker_id, *spent_out, PICK_FACTOR * budget])
        candidates: list[tuple[object, str, str]] = cursor.fetchall()
    allowed = {p: math.floor(t) for p, t in tokens.items()}
    chosen: dict[UUID, str] = {}
    for raw_id, status, partition in candidates:
        if len(chosen) == budget:
            break
        if allowed.setdefault(partition, rate.limit) >= 1:
            allowed[partition] -= 1
            chosen[raw_id if isinstance(raw_id, UUID) else UUID(str(raw_id))] = status
    if not chosen:
        return []
    records = _claim_rows(using, chosen, worker_id, now, lease)
    _spend(using, queue, rate, tokens, records, now)
    return records


def _tokens(using: str, queue: str, rate: QueueRate, now: datetime) -> dict[str, float]:
    """Each partition's tokens now, for the partitions that spent some within a period."""
    adapt = connections[using].ops.adapt_datetimefield_value
    with connections[using].cursor() as cursor:
        cursor.execute(
            FORGET_FULL_SQL, [queue, adapt(now - timedelta(seconds=rate.period_seconds))]
        )
        cursor.execute(BUCKETS_SQL, [queue])
        rows = cursor.fetchall()
    return {
        partition: tokens_now(rate, RateBucket(stored, as_utc(refilled_at)), now)
        for partition, stored, refilled_at in rows
    }


def _claim_rows(
    using: str, chosen: dict[UUID, str], worker_id: str, now: datetime, lease: timedelta
) -> list[Task]:
    """Claim exactly these rows (locked or under the write lock), logging each transition."""
    connection = connections[using]
    adapt = connection.ops.adapt_datetimefield_value
    is_postgres = connection.vendor == "postgresql"
    # Imported here: claim.py imports this module (through claim_rates.py).
    from .claim import SQLITE_UPDATE_SQL

    template = POSTGRES_UPDATE_SQL if is_postgres else SQLITE_UPDATE_SQL
    sql = template.format(ids=", ".join(["%s"] * len(chosen)))
    # The id column: uuid on PostgreSQL, 32 hex digits on SQLite.
    ids = [task_id if is_postgres else task_id.hex for task_id in chosen]
    params = [worker_id, worker_id, adapt(now), adapt(now), adapt(now + lease), *ids]
    records = [task_from_record(r) for r in TaskRecord.objects.raw(sql, params).using(using)]
    running = TaskStatus.RUNNING.value
    insert_event_rows(
        using,
        [(r.id, chosen[r.id], running, now, r.attempt, worker_id, "") for r in records],
    )
    return records


def _spend(
    using: str,
    queue: str,
    rate: QueueRate,
    tokens: dict[str, float],
    records: Sequence[Task],
    now: datetime,
) -> None:
    taken = Counter(partition_of(rate, record.kwargs) for record in records)
    full = full_bucket(rate, now).tokens
    stored_now = connections[using].ops.adapt_datetimefield_value(now)
    rows = [
        (queue, partition, tokens.get(partition, full) - count, stored_now)
        for partition, count in taken.items()
    ]
    with connections[using].cursor() as cursor:
        cursor.executemany(SPEND_SQL, rows)


def as_utc(value: datetime | str) -> datetime:
    """A datetime column read by a raw cursor: SQLite hands back naive UTC text."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
