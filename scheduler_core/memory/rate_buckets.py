"""Queue rate limits of the in-memory queue: the rates and their token buckets.

Used under the queue's lock, as the database's claim holds its rate rows' locks: a partition
key of "" stands for the bucket of an unpartitioned rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from scheduler_core.domain import Task
from scheduler_core.domain.queue_rates import (
    NO_PARTITION,
    QueueRate,
    RateBucket,
    cap_claim_to_rates,
    full_bucket,
    partition_of,
    tokens_now,
)

from .task_repository import InMemoryTaskRepository


class InMemoryRates:
    """The rated queues, and a bucket per queue (and partition) that spent tokens lately."""

    def __init__(self) -> None:
        self._rates: dict[str, QueueRate] = {}
        self._buckets: dict[tuple[str, str], RateBucket] = {}

    def __contains__(self, queue: object) -> bool:
        return queue in self._rates

    def set(self, queue: str, rate: QueueRate | None, now: datetime) -> QueueRate | None:
        """Set or lift the queue's rate, with full buckets; the rate it replaced."""
        previous = self._rates.pop(queue, None)
        self._buckets = {key: bucket for key, bucket in self._buckets.items() if key[0] != queue}
        if rate is not None:
            self._rates[queue] = rate
            self._buckets[(queue, NO_PARTITION)] = full_bucket(rate, now)
        return previous

    def rates(self) -> dict[str, QueueRate]:
        """The rated queues and their rates."""
        return dict(self._rates)

    def claim(
        self,
        repository: InMemoryTaskRepository,
        queues: Sequence[str],
        limit: int,
        now: datetime,
    ) -> list[Task]:
        """Take up to `limit` due tasks of `queues`, no rated queue or partition past its rate."""
        partitioned = [q for q in queues if q in self._rates and self._rates[q].partition_by]
        main = [queue for queue in queues if queue not in partitioned]
        tokens = {q: self._tokens(q, NO_PARTITION, now) for q in main if q in self._rates}
        kept, batch = cap_claim_to_rates(main, limit, tokens) if tokens else (main, limit)
        claimed = repository.take_due(kept, batch, now) if kept else []
        for queue, available in tokens.items():
            taken = sum(1 for task in claimed if task.queue == queue)
            if taken:
                self._buckets[(queue, NO_PARTITION)] = RateBucket(available - taken, now)
        for queue in partitioned:
            if len(claimed) < limit:
                claimed += self._claim_partitioned(repository, queue, limit - len(claimed), now)
        return claimed

    def _claim_partitioned(
        self, repository: InMemoryTaskRepository, queue: str, budget: int, now: datetime
    ) -> list[Task]:
        rate = self._rates[queue]
        spent: dict[str, float] = {}

        def accept(task: Task) -> bool:
            partition = partition_of(rate, task.kwargs)
            if partition not in spent:
                spent[partition] = self._tokens(queue, partition, now)
            if math.floor(spent[partition]) < 1:
                return False
            spent[partition] -= 1
            return True

        claimed = repository.take_due_matching(queue, budget, now, accept)
        for task in claimed:
            partition = partition_of(rate, task.kwargs)
            self._buckets[(queue, partition)] = RateBucket(spent[partition], now)
        return claimed

    def _tokens(self, queue: str, partition: str, now: datetime) -> float:
        rate = self._rates[queue]
        bucket = self._buckets.get((queue, partition)) or full_bucket(rate, now)
        return tokens_now(rate, bucket, now)
