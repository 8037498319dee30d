"""Per-queue rate limits: at most N task starts per second or minute across all workers.

A token bucket per queue (and per partition, when the rate is split by a keyword argument):
it holds at most `limit` tokens, refills at `limit` per period, and every claimed task takes
one. A full bucket lets a burst of `limit` starts through at once, after which starts follow
the rate; over any stretch of time T the starts stay under `limit * (1 + T / period)`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .errors import TaskInvalid
from .queue_limits import cap_claim

# The periods a rate may be counted over, in seconds.
PERIODS: Mapping[str, int] = {"second": 1, "minute": 60}
# Far above what one database can start; a bigger number is a typo, not a wish.
MAX_QUEUE_RATE = 100_000
# A keyword argument's name, as Python spells one.
PARTITION_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
# The partition of an unpartitioned rate, and of a task without the keyword argument.
NO_PARTITION = ""


@dataclass(frozen=True, slots=True)
class QueueRate:
    """At most `limit` starts per `per` ("second" or "minute"), per partition if given."""

    limit: int
    per: str = "second"
    # A keyword argument's name: each of its values gets a bucket of its own.
    partition_by: str | None = None

    def __post_init__(self) -> None:
        limit = self.limit
        if (
            isinstance(limit, bool)
            or not isinstance(limit, int)
            or not 1 <= limit <= MAX_QUEUE_RATE
        ):
            raise TaskInvalid("limit", f"a rate must be a whole number from 1 to {MAX_QUEUE_RATE}")
        if self.per not in PERIODS:
            raise TaskInvalid("per", f"per must be one of {', '.join(PERIODS)}, not {self.per!r}")
        partition = self.partition_by
        if partition is not None and (
            not isinstance(partition, str) or not PARTITION_PATTERN.fullmatch(partition)
        ):
            raise TaskInvalid(
                "partition_by",
                "partition_by must be a keyword argument's name, such as customer_id",
            )

    @property
    def period_seconds(self) -> int:
        """The length of one period in seconds."""
        return PERIODS[self.per]

    def as_json(self) -> dict[str, object]:
        """The rate as the API and the audit log write it."""
        return {"limit": self.limit, "per": self.per, "partition_by": self.partition_by}

    def describe(self) -> str:
        """How an operator reads it: "10 per second", "5 per minute per customer_id"."""
        split = f" per {self.partition_by}" if self.partition_by else ""
        return f"{self.limit} per {self.per}{split}"


@dataclass(frozen=True, slots=True)
class RateBucket:
    """A bucket's tokens as last written, and when."""

    tokens: float
    refilled_at: datetime


def full_bucket(rate: QueueRate, now: datetime) -> RateBucket:
    """A new bucket: a whole period's starts are allowed at once."""
    return RateBucket(float(rate.limit), now)


def tokens_now(rate: QueueRate, bucket: RateBucket, now: datetime) -> float:
    """The bucket's tokens at `now`: refilled for the time passed, never above the limit."""
    # A clock that stepped back refills nothing rather than draining the bucket.
    elapsed = max(0.0, (now - bucket.refilled_at).total_seconds())
    return min(float(rate.limit), bucket.tokens + elapsed * rate.limit / rate.period_seconds)


def cap_claim_to_rates(
    queues: Sequence[str], batch: int, tokens: Mapping[str, float]
) -> tuple[list[str], int]:
    """The queues a claim may take from, and its batch size, within the rated queues' tokens.

    A rate's whole tokens are to it what free slots are to a concurrency limit: a rated queue
    without one is left out, and the batch shrinks to the fewest among the rated queues kept.
    """
    whole = {queue: math.floor(available) for queue, available in tokens.items()}
    return cap_claim(queues, batch, whole, {})


def partition_of(rate: QueueRate, kwargs: Mapping[str, object]) -> str:
    """The bucket a task of a rated queue draws from: its keyword argument's value as text."""
    if rate.partition_by is None:
        return NO_PARTITION
    value = kwargs.get(rate.partition_by)
    if value is None:
        return NO_PARTITION
    # JSON text, as the databases' `->>` reads a non-string value.
    return value if isinstance(value, str) else json.dumps(value)
