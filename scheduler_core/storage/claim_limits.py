"""Capping a claim to the queues' concurrency limits, inside the claim's transaction.

Both reads must run in the claim's own transaction, after its lock is held, or two claimers
could each count the same free slot:
- SQLite opens every transaction with BEGIN IMMEDIATE, so the claim already holds the one
  write lock when it counts.
- PostgreSQL locks the limit rows of the claimed queues (FOR UPDATE, in name order so
  claimers never deadlock) and only then counts, in a new statement whose snapshot sees
  every claim committed before the lock was granted. Claimers of unlimited queues find no
  row, lock nothing and keep the lock-free SKIP LOCKED claim.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections

from scheduler_core.domain.queue_limits import cap_claim

LIMITS_SQL = (
    "SELECT queue, max_running FROM scheduler_queue_limit WHERE queue IN ({queues}) ORDER BY queue"
)
# Served by the partial index sched_task_running_queue_idx: only running rows are read.
RUNNING_SQL = (
    "SELECT queue, COUNT(*) FROM scheduler_task WHERE status = 'running' AND queue IN ({queues})"
    " GROUP BY queue"
)


def cap_to_queue_limits(using: str, queues: Sequence[str], batch: int) -> tuple[list[str], int]:
    """The queues and batch size a claim may take without passing any queue's limit."""
    connection = connections[using]
    placeholders = ", ".join(["%s"] * len(queues))
    limits_sql = LIMITS_SQL.format(queues=placeholders)
    if connection.vendor == "postgresql":
        limits_sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(limits_sql, list(queues))
        limits: dict[str, int] = dict(cursor.fetchall())
        if not limits:
            return list(queues), batch
        limited = list(limits)
        cursor.execute(RUNNING_SQL.format(queues=", ".join(["%s"] * len(limited))), limited)
        running: dict[str, int] = dict(cursor.fetchall())
    return cap_claim(queues, batch, limits, running)
