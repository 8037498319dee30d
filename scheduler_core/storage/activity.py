"""Activity over a recent window in time buckets, for the overview's charts.

Grouped by bucket in SQL, so a render reads a few dozen rows, not every event. The
transition log has no index on its time column; its ids grow with time, though, so the
first event of the window is found by a binary search over the primary key and the
aggregate reads only the window's rows by id range (see `first_event_id_since`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Avg, Count, Expression, F, FloatField, Func, IntegerField, Max
from django.db.models.sql.compiler import SQLCompiler
from django.db.utils import NotSupportedError

from scheduler_core.models import TaskEvent, TaskRecord

# Events are stamped before their row is inserted, by clocks that may disagree a little, so
# ids follow time only roughly: the id search starts this much before the window.
ID_SEARCH_SLACK = timedelta(minutes=15)
FAILED_ATTEMPT = ("retrying", "failed")


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
        if step < 1 or buckets < 1:
            raise ValueError("a window needs at least one bucket of at least a second")
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
    # Tasks that started in the bucket (and have finished since), and their wait from due
    # (run_after) to start, in seconds; None when none did.
    started: int = 0
    wait_avg: float | None = None
    wait_max: float | None = None


type SQL = tuple[str, tuple[Any, ...]]


class _VendorFunc(Func):
    """A function written once per supported database (SQLite and PostgreSQL)."""

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> SQL:
        """The vendor's SQL text around the compiled operands, and their parameters."""
        operands = [compiler.compile(expression) for expression in self.get_source_expressions()]
        columns = [sql for sql, _ in operands]
        params = tuple(param for _, sql_params in operands for param in sql_params)
        return self.sql_for(connection.vendor, columns), params

    def sql_for(self, vendor: str, columns: list[str]) -> str:
        """The SQL text for `vendor`, given the compiled operand columns."""
        raise NotImplementedError


class BucketIndex(_VendorFunc):
    """Which bucket of `width` seconds after `start` a timestamp falls in (an integer)."""

    output_field = IntegerField()

    def __init__(self, expression: str, *, start: datetime, width: int) -> None:
        super().__init__(F(expression))
        # Whole numbers put into the SQL text: int() leaves nothing to inject.
        self.start_epoch = int(start.timestamp())
        self.width = int(width)

    def sql_for(self, vendor: str, columns: list[str]) -> str:
        """Seconds since `start`, floor-divided by the width."""
        (column,) = columns
        if vendor == "sqlite":
            # Rows before `start` are filtered out, so integer division is floor division.
            epoch = f"CAST(strftime('%%s', {column}) AS INTEGER)"
            return f"(({epoch} - {self.start_epoch}) / {self.width})"
        if vendor == "postgresql":
            epoch = f"EXTRACT(EPOCH FROM {column})"
            return f"FLOOR(({epoch} - {self.start_epoch}) / {self.width})::integer"
        raise NotSupportedError(f"time buckets are not written for {vendor}")


class SecondsBetween(_VendorFunc):
    """`end` minus `start` in seconds, as a float."""

    output_field = FloatField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(start), F(end))

    def sql_for(self, vendor: str, columns: list[str]) -> str:
        """The difference of the two timestamps in seconds."""
        start, end = columns
        if vendor == "sqlite":
            return f"((julianday({end}) - julianday({start})) * 86400.0)"
        if vendor == "postgresql":
            return f"EXTRACT(EPOCH FROM ({end} - {start}))::float"
        raise NotSupportedError(f"time differences are not written for {vendor}")


def activity(using: str, window: Window) -> list[Bucket]:
    """Every bucket of `window`, oldest first, empty ones included."""
    outcomes = _attempt_outcomes(using, window)
    waits = _waits(using, window)
    buckets = []
    for index in range(window.buckets):
        succeeded, failed = outcomes.get(index, (0, 0))
        started, wait_avg, wait_max = waits.get(index, (0, None, None))
        buckets.append(
            Bucket(
                start=window.bucket_start(index),
                succeeded=succeeded,
                failed=failed,
                started=started,
                wait_avg=wait_avg,
                wait_max=wait_max,
            )
        )
    return buckets


def first_event_id_since(using: str, moment: datetime) -> int | None:
    """The smallest event id whose event is (about) at or after `moment`; None if none is.

    A binary search over the primary key, a few dozen index lookups, in place of a scan of
    a table that holds several rows per task.
    """
    events = TaskEvent.objects.using(using).order_by("id").values_list("id", "at")
    # Two queries, not one: SQLite reads MIN and MAX from the index only one at a time.
    last = events.reverse().first()
    first = events.first()
    if first is None or last is None or last[1] < moment:
        return None
    low, high = first[0], last[0]
    while low < high:
        middle = (low + high) // 2
        probe = events.filter(id__gte=middle).first()
        assert probe is not None  # `high` exists and is >= middle
        if probe[1] < moment:
            low = probe[0] + 1
        else:
            high = middle
    return low


def _attempt_outcomes(using: str, window: Window) -> dict[int, tuple[int, int]]:
    first_id = first_event_id_since(using, window.start - ID_SEARCH_SLACK)
    if first_id is None:
        return {}
    rows = (
        TaskEvent.objects.using(using)
        .filter(
            id__gte=first_id,
            at__gte=window.start,
            at__lt=window.end,
            from_status="running",
            to_status__in=("succeeded", *FAILED_ATTEMPT),
        )
        .annotate(bucket=_bucket("at", window))
        .values("bucket", "to_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        counts[row["bucket"]][0 if row["to_status"] == "succeeded" else 1] += row["n"]
    return {index: (ok, failed) for index, (ok, failed) in counts.items()}


def _waits(using: str, window: Window) -> dict[int, tuple[int, float, float]]:
    # Only the last attempt of a task keeps its start and due times on the row, and the
    # finished_at index bounds the scan; tasks still running are counted once they finish.
    rows = (
        TaskRecord.objects.using(using)
        .filter(
            finished_at__gte=window.start,
            started_at__gte=window.start,
            started_at__lt=window.end,
        )
        .annotate(
            bucket=_bucket("started_at", window), wait=SecondsBetween("run_after", "started_at")
        )
        .values("bucket")
        .annotate(n=Count("id"), wait_avg=Avg("wait"), wait_max=Max("wait"))
        .order_by()
    )
    return {
        row["bucket"]: (
            row["n"],
            max(0.0, float(row["wait_avg"])),
            max(0.0, float(row["wait_max"])),
        )
        for row in rows
    }


def _bucket(column: str, window: Window) -> Expression:
    return BucketIndex(column, start=window.start, width=window.seconds)
