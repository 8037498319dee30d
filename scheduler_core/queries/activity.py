"""Activity over a recent window in time buckets, for the overview's charts.

Read from the per-minute rollup that database triggers keep as the transition log grows
(docs/counters.md): a day is at most 1,440 minutes per queue (and writer shard), summed
into buckets in SQL, whatever the size of the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import F, Max, Sum

from scheduler_core.models import ActivityMinute

MINUTE = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """`buckets` consecutive buckets of `width`, the last one holding `now`."""

    start: datetime
    width: timedelta
    buckets: int

    @classmethod
    def ending_at(cls, now: datetime, width: timedelta, buckets: int) -> Window:
        """The window whose buckets start on whole multiples of `width` (whole minutes...)."""
        step = int(width.total_seconds())
        if step < MINUTE or step % MINUTE or buckets < 1:
            raise ValueError("a window needs at least one bucket of a whole number of minutes")
        current = int(now.timestamp()) // step * step
        start = datetime.fromtimestamp(current - (buckets - 1) * step, tz=UTC)
        return cls(start=start, width=width, buckets=buckets)

    @property
    def seconds(self) -> int:
        """The width of one bucket in whole seconds."""
        return int(self.width.total_seconds())

    @property
    def end(self) -> datetime:
        """When the last bucket ends."""
        return self.start + self.buckets * self.width

    def bucket_start(self, index: int) -> datetime:
        """When bucket `index` begins."""
        return self.start + index * self.width


@dataclass(frozen=True, slots=True, kw_only=True)
class Bucket:
    """What happened in one bucket: finished attempts, and how long started tasks waited."""

    start: datetime
    succeeded: int = 0
    failed: int = 0
    # Attempts that started in the bucket, and their wait from due (run_after) to start,
    # in seconds; None when none did.
    started: int = 0
    wait_avg: float | None = None
    wait_max: float | None = None


def activity(using: str, window: Window) -> list[Bucket]:
    """Every bucket of `window`, oldest first, empty ones included."""
    start = int(window.start.timestamp())
    # Integer division of whole numbers is floor division here: rows start at `start`.
    bucket = (F("minute") - start) / window.seconds
    rows = (
        ActivityMinute.objects.using(using)
        .filter(minute__gte=start, minute__lt=int(window.end.timestamp()))
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(
            succeeded_n=Sum("succeeded"),
            failed_n=Sum("failed_attempts"),
            started_n=Sum("started"),
            wait_n=Sum("wait_count"),
            wait_sum=Sum("wait_seconds_sum"),
            wait_top=Max("wait_seconds_max"),
        )
        .order_by()
    )
    found = {int(row["bucket"]): row for row in rows}
    buckets = []
    for index in range(window.buckets):
        row = found.get(index)
        if row is None:
            buckets.append(Bucket(start=window.bucket_start(index)))
            continue
        waits = int(row["wait_n"])
        buckets.append(
            Bucket(
                start=window.bucket_start(index),
                succeeded=int(row["succeeded_n"]),
                failed=int(row["failed_n"]),
                started=int(row["started_n"]),
                wait_avg=float(row["wait_sum"]) / waits if waits else None,
                wait_max=None if row["wait_top"] is None else float(row["wait_top"]),
            )
        )
    return buckets
