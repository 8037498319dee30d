"""Capping a claim to the queues' rate limits, inside the claim's transaction.

Like the concurrency limits (claim_limits.py), the bucket rows are read under a lock the
claim holds until it commits, so claimers on every worker take turns at a rated queue's
bucket and never spend the same token twice: SQLite's claim already holds the one write lock
(BEGIN IMMEDIATE); PostgreSQL locks the rows FOR UPDATE, in name order, after the limit rows.

A claim of queues without a rate pays nothing: which queues have one is read at most once a
second per process (queue_name_snapshot.py), so a claim of unrated queues runs no statement and
takes no lock here. The price: a rate set from another process holds from that process's
next look, within a second; a rate changed or lifted holds at once, as the locked row says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections

from scheduler_core.domain import Task
from scheduler_core.domain.queue_rates import QueueRate, RateBucket, cap_claim_to_rates, tokens_now

from .claim_partitions import as_utc, claim_partitioned
from .db_clock import DatabaseClock
from .queue_name_snapshot import QueueNameSnapshot

BUCKETS_SQL = (
    "SELECT queue, max_starts, per, partition_by, tokens, refilled_at FROM scheduler_queue_rate"
    " WHERE queue IN ({queues}) ORDER BY queue"
)
SPEND_SQL = "UPDATE scheduler_queue_rate SET tokens = %s, refilled_at = %s WHERE queue = %s"

_RATED = QueueNameSnapshot("scheduler_queue_rate")


def rated_queues(using: str) -> frozenset[str]:
    """The names of the queues with a rate, as read at most SNAPSHOT_TTL seconds ago."""
    return _RATED.names(using)


def forget_rated_queues(using: str) -> None:
    """Read the rated queues afresh at the next claim (a rate was set in this process)."""
    _RATED.forget(using)


@dataclass(frozen=True, slots=True)
class RatedClaim:
    """The rated queues of one claim: tokens to spend after it, partitioned queues to claim."""

    using: str
    now: datetime
    # Unpartitioned rated queues claimed by the main statement: their tokens before it.
    tokens: dict[str, float]
    # Partitioned rated queues, left out of the main statement and claimed by finish().
    partitioned: dict[str, QueueRate]
    # The claim's batch before the rates narrowed it.
    budget: int

    def finish(self, records: Sequence[Task], worker_id: str, lease: timedelta) -> list[Task]:
        """Spend the main claim's tokens, claim the partitioned queues with the batch left."""
        self._spend(records)
        claimed = list(records)
        for queue, rate in self.partitioned.items():
            left = self.budget - len(claimed)
            if left < 1:
                break
            claimed += claim_partitioned(
                self.using,
                queue,
                rate,
                worker_id=worker_id,
                now=self.now,
                lease=lease,
                budget=left,
            )
        return claimed

    def _spend(self, records: Sequence[Task]) -> None:
        """Take one token per claimed task of an unpartitioned rated queue."""
        taken = Counter(record.queue for record in records if record.queue in self.tokens)
        if not taken:
            return
        connection = connections[self.using]
        stored_now = connection.ops.adapt_datetimefield_value(self.now)
        with connection.cursor() as cursor:
            cursor.executemany(
                SPEND_SQL,
                [(self.tokens[queue] - count, stored_now, queue) for queue, count in taken.items()],
            )


def cap_to_queue_rates(
    using: str, queues: Sequence[str], batch: int
) -> tuple[list[str], int, RatedClaim | None]:
    """The queues and batch the main claim may take within the rates, and what to do after.

    Call inside the claim's transaction; returns the queues unchanged and no RatedClaim when
    none of them has a rate. Partitioned rated queues are left out of the queues returned:
    RatedClaim.finish claims them.
    """
    rated = [queue for queue in queues if queue in rated_queues(using)]
    if not rated:
        return list(queues), batch, None
    connection = connections[using]
    sql = BUCKETS_SQL.format(queues=", ".join(["%s"] * len(rated)))
    if connection.vendor == "postgresql":
        sql += " FOR UPDATE"
    now = DatabaseClock(using).now()
    with connection.cursor() as cursor:
        cursor.execute(sql, rated)
        rows = cursor.fetchall()
    tokens: dict[str, float] = {}
    partitioned: dict[str, QueueRate] = {}
    for queue, limit, per, partition_by, stored_tokens, refilled_at in rows:
        rate = QueueRate(limit, per, partition_by or None)
        if rate.partition_by is not None:
            partitioned[queue] = rate
        else:
            tokens[queue] = tokens_now(rate, RateBucket(stored_tokens, as_utc(refilled_at)), now)
    if not rows:
        # Every rate was lifted since the snapshot was read.
        return list(queues), batch, None
    main = [queue for queue in queues if queue not in partitioned]
    kept, capped = cap_claim_to_rates(main, batch, tokens)
    return kept, capped, RatedClaim(using, now, tokens, partitioned, batch)
