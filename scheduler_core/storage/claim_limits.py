"""Capping a claim to the queues' concurrency limits, inside the claim's transaction.

Both reads must run in the claim's own transaction, after its lock is held, or two claimers
could each count the same free slot:
- SQLite opens every transaction with BEGIN IMMEDIATE, so the claim already holds the one
  write lock when it counts.
- PostgreSQL locks the limit rows of the claimed queues (FOR UPDATE, in name order so
  claimers never deadlock) and only then counts, in a new statement whose snapshot sees
  every claim committed before the lock was granted.

On PostgreSQL a claim of queues that the snapshot of limited queues (queue_name_snapshot.py,
at most a second old) says are unlimited runs no statement here at all: that round trip
was paid by every claim. A limit set from another process within that second is still
honoured: the claim statement skips every queue with a limit row it did not lock (see
`locked` below and `_UNLOCKED_LIMITS` in claim.py), so a stale snapshot can hold a newly
limited queue back for a second but never let it pass its limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections

from scheduler_core.domain.queue_limits import cap_claim

from .queue_name_snapshot import QueueNameSnapshot

LIMITS_SQL = (
    "SELECT queue, max_running FROM scheduler_queue_limit WHERE queue IN ({queues}) ORDER BY queue"
)
# Served by the partial index sched_task_running_queue_idx: only running rows are read.
RUNNING_SQL = (
    "SELECT queue, COUNT(*) FROM scheduler_task WHERE status = 'running' AND queue IN ({queues})"
    " GROUP BY queue"
)

_LIMITED = QueueNameSnapshot("scheduler_queue_limit")


@dataclass(frozen=True, slots=True)
class CappedClaim:
    """What a claim may take: its queues, its batch, and the limit rows it holds locked."""

    queues: list[str]
    batch: int
    # Queues whose limit rows this transaction locked and counted; the claim statement on
    # PostgreSQL claims from no other queue that has a limit row.
    locked: list[str]


def limited_queues(using: str) -> frozenset[str]:
    """The names of the queues with a limit, as read at most a second ago."""
    return _LIMITED.names(using)


def forget_limited_queues(using: str) -> None:
    """Read the limited queues afresh at the next claim (a limit was set in this process)."""
    _LIMITED.forget(using)


def cap_to_queue_limits(using: str, queues: Sequence[str], batch: int) -> CappedClaim:
    """The queues and batch a claim may take without passing any queue's limit."""
    connection = connections[using]
    postgres = connection.vendor == "postgresql"
    if postgres and limited_queues(using).isdisjoint(queues):
        return CappedClaim(list(queues), batch, [])
    placeholders = ", ".join(["%s"] * len(queues))
    limits_sql = LIMITS_SQL.format(queues=placeholders)
    if postgres:
        limits_sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(limits_sql, list(queues))
        limits: dict[str, int] = dict(cursor.fetchall())
        if not limits:
            return CappedClaim(list(queues), batch, [])
        limited = list(limits)
        cursor.execute(RUNNING_SQL.format(queues=", ".join(["%s"] * len(limited))), limited)
        running: dict[str, int] = dict(cursor.fetchall())
    capped, capped_batch = cap_claim(queues, batch, limits, running)
    return CappedClaim(capped, capped_batch, limited)
