"""The metrics rollup, run by every worker's maintenance pass; one of them does the work.

Each pass (1) counts the minutes that closed since the last one into minute rows (old
history straight into wider rows), (2) merges rows old enough into quarter-hour, hour and
6-hour rows, (3) deletes rows past retention. The state row says how far it got; on
PostgreSQL it is locked without waiting (`SKIP LOCKED`) before the read, so workers that
find it taken skip; on SQLite the minutes are read first and stored only if the row did
not move meanwhile. No task write pays for any of it: the pass reads the task and error
tables by their indexes on finished_at and failed_at, once per minute of history.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction

from scheduler_core.conf import scheduler_conf
from scheduler_core.domain import duration_histogram as hist
from scheduler_core.domain.ports import MetricsRollup
from scheduler_core.domain.task_metrics import (
    COMPACTION,
    DAY,
    HOUR,
    MINUTE,
    TaskMetrics,
    compaction_cutoff,
    stretch_start,
)
from scheduler_core.models import MetricsRollupState, TaskErrorRecord, TaskMetricsRow, TaskRecord

from .db_clock import DatabaseClock
from .metrics_source import MinuteKey, Scope, minutes_between

# A minute is counted once it has been closed this long: an outcome stamped just before
# the minute ended has committed by then (the outcome writer's transactions last
# milliseconds). Pages count the minutes after the rollup's point on read.
SETTLE_SECONDS = 30
# History counted per transaction (a first pass over a month of tasks takes many steps),
# and how long one pass may keep at it before leaving the rest to the next.
STEP_SECONDS = HOUR
PASS_BUDGET_SECONDS = 2.0
# Every width a row may have; listed, so that reads by age go through the (width, start) index.
WIDTHS = (MINUTE, *(width for width, _ in COMPACTION))


@dataclass(frozen=True, slots=True)
class RollupReport:
    """What one pass did."""

    minutes_rolled: int = 0
    rows_written: int = 0
    rows_compacted: int = 0
    rows_pruned: int = 0


class DjangoMetricsRollup(MetricsRollup):
    """Keeps scheduler_task_metrics up to date; safe to run from every worker at once."""

    def __init__(self, using: str = "default", *, retention_days: int | None = None) -> None:
        self.using = using
        if retention_days is None:
            # The activity rows' retention (prune_tasks --activity-days): the same history.
            retention_days = scheduler_conf().retention.activity_days
        self.retention_days = retention_days
        self.clock = DatabaseClock(using)

    def roll_up(self) -> RollupReport:
        """One pass: count closed minutes, compact, prune; skipped if another holds the lock."""
        deadline = time.monotonic() + PASS_BUDGET_SECONDS
        minutes = written = 0
        compacted = pruned = 0
        while True:
            step = self._step()
            if step is not None:
                minutes += step[0]
                written += step[1]
            # After every step: a long first pass must not pile up a month of minute rows.
            tidied = self._tidy()
            compacted += tidied[0]
            pruned += tidied[1]
            if step is None or step[0] == 0 or time.monotonic() > deadline:
                break
        return RollupReport(minutes, written, compacted, pruned)

    def _locked_state(self) -> MetricsRollupState | None:
        rows = MetricsRollupState.objects.using(self.using)
        if connections[self.using].vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True)
        state = rows.filter(pk=1).first()
        if state is None and not MetricsRollupState.objects.using(self.using).filter(pk=1).exists():
            state = MetricsRollupState.objects.using(self.using).create(pk=1, rolled_until=None)
        return state

    def _step(self) -> tuple[int, int] | None:
        """Count the next stretch of closed minutes; (minutes, rows), or None if locked."""
        now = int(self.clock.now().timestamp())
        closed = stretch_start(now - SETTLE_SECONDS, MINUTE)
        seen = self._rolled_until()
        if (seen or 0) >= closed:
            # Read without a lock first: most passes find nothing to do, and on SQLite a
            # transaction takes the one write lock.
            return 0, 0
        if connections[self.using].vendor == "postgresql":
            # Lock, then read: reads block no writer there, and the workers that find the
            # row locked skip the minute instead of all reading it.
            with transaction.atomic(using=self.using):
                state = self._locked_state()
                if state is None:
                    return None
                start, end = self._stretch_to_count(state.rolled_until, now, closed)
                return self._write(state, start, end, self._count(start, end, now))
        # SQLite: read first, then take the one write lock only to store, and only if no
        # other worker stored this stretch meanwhile.
        start, end = self._stretch_to_count(seen, now, closed)
        counted = self._count(start, end, now)
        with transaction.atomic(using=self.using):
            state = self._locked_state()
            if state is None or state.rolled_until != seen:
                return None
            return self._write(state, start, end, counted)

    def _stretch_to_count(self, rolled: int | None, now: int, closed: int) -> tuple[int, int]:
        start = self._first_minute(now) if rolled is None else rolled
        return start, max(start, min(closed, start + STEP_SECONDS))

    def _count(self, start: int, end: int, now: int) -> list[TaskMetricsRow]:
        if end <= start:
            return []
        found = minutes_between(self.using, start, end, Scope())
        return [
            _row(first, width, queue, name, m)
            for (first, width, queue, name), m in widened(found, start, end, now).items()
        ]

    def _write(
        self, state: MetricsRollupState, start: int, end: int, rows: list[TaskMetricsRow]
    ) -> tuple[int, int]:
        if end <= start:
            return 0, 0
        TaskMetricsRow.objects.using(self.using).bulk_create(rows, batch_size=500)
        state.rolled_until = end
        state.save(using=self.using, update_fields=["rolled_until"])
        return (end - start) // MINUTE, len(rows)

    def _rolled_until(self) -> int | None:
        return (
            MetricsRollupState.objects.using(self.using)
            .filter(pk=1)
            .values_list("rolled_until", flat=True)
            .first()
        )

    def _first_minute(self, now: int) -> int:
        """Where a first pass starts: the oldest finish or failure kept, within retention."""
        floor = now - self.retention_days * DAY
        oldest = [
            TaskRecord.objects.using(self.using)
            .filter(finished_at__isnull=False)
            .order_by("finished_at")
            .values_list("finished_at", flat=True)
            .first(),
            TaskErrorRecord.objects.using(self.using)
            .order_by("failed_at")
            .values_list("failed_at", flat=True)
            .first(),
        ]
        moments = [int(m.timestamp()) for m in oldest if m is not None]
        first = max(floor, min(moments)) if moments else now - SETTLE_SECONDS
        # On a whole hour, so the steps of a long first pass (an hour each) hold whole
        # stretches up to an hour wide and count old history straight into hour rows.
        return stretch_start(first, HOUR)

    def _tidy(self) -> tuple[int, int]:
        now = int(self.clock.now().timestamp())
        rolled = self._rolled_until()
        if rolled is None:
            return 0, 0
        # Only stretches the rollup has finished counting are merged.
        cutoffs = [
            (width, min(compaction_cutoff(now, width, age), stretch_start(rolled, width)))
            for width, age in COMPACTION
        ]
        horizon = stretch_start(now - self.retention_days * DAY, HOUR)
        rows = TaskMetricsRow.objects.using(self.using)
        due = (
            any(
                rows.filter(width=narrow, start__lt=cutoff).exists()
                for width, cutoff in cutoffs
                for narrow in WIDTHS
                if narrow < width
            )
            or rows.filter(width__in=WIDTHS, start__lt=horizon).exists()
        )
        if not due:
            return 0, 0
        compacted = 0
        with transaction.atomic(using=self.using):
            if self._locked_state() is None:
                return 0, 0
            for width, cutoff in cutoffs:
                compacted += compact(self.using, width, cutoff)
            pruned, _ = rows.filter(width__in=WIDTHS, start__lt=horizon).delete()
        return compacted, pruned


def widened(
    found: dict[MinuteKey, TaskMetrics], start: int, end: int, now: int
) -> dict[tuple[int, int, str, str], TaskMetrics]:
    """The minutes of one step as the rows compaction would make of them by now: a minute
    goes into the widest stretch that is old enough to compact and lies wholly in the step
    [start, end), else stays a minute. A first pass over a month then writes a few
    thousand rows instead of one per minute, queue and name."""
    rows: dict[tuple[int, int, str, str], TaskMetrics] = {}
    for (minute, queue, name), metrics in found.items():
        first, width = minute, MINUTE
        for candidate, age in reversed(COMPACTION):
            begins = stretch_start(minute, candidate)
            whole = start <= begins and begins + candidate <= end
            if whole and begins < compaction_cutoff(now, candidate, age):
                first, width = begins, candidate
                break
        rows.setdefault((first, width, queue, name), TaskMetrics()).add(metrics)
    return rows


def compact(using: str, width: int, before: int) -> int:
    """Merge rows narrower than `width` that start before `before` into rows of `width`;
    how many narrow rows went."""
    narrower = [w for w in WIDTHS if w < width]
    narrow = list(
        TaskMetricsRow.objects.using(using).filter(width__in=narrower, start__lt=before).order_by()
    )
    if not narrow:
        return 0
    merged: dict[tuple[int, str, str], TaskMetrics] = {}
    for row in narrow:
        key = (stretch_start(row.start, width), row.queue, row.name)
        merged.setdefault(key, TaskMetrics()).add(metrics_of(row))
    # A row already stored for the same start (a stretch merged on an earlier pass, of this
    # width or wider) takes the new counts in, keeping its width: it covers them.
    widths = dict.fromkeys(merged, width)
    existing = TaskMetricsRow.objects.using(using).filter(
        width__gte=width, start__in={key[0] for key in merged}
    )
    stale = []
    for row in existing:
        key = (row.start, row.queue, row.name)
        if key in merged:
            merged[key].add(metrics_of(row))
            widths[key] = row.width
            stale.append(row.pk)
    TaskMetricsRow.objects.using(using).filter(pk__in=stale).delete()
    TaskMetricsRow.objects.using(using).filter(width__in=narrower, start__lt=before).delete()
    TaskMetricsRow.objects.using(using).bulk_create(
        [_row(key[0], widths[key], key[1], key[2], m) for key, m in merged.items()],
        batch_size=500,
    )
    return len(narrow)


# The stored counts of a row, in the order metrics_from takes them.
COUNT_COLUMNS = (
    "succeeded",
    "failed",
    "cancelled",
    "failed_attempts",
    "run_seconds_sum",
    "run_histogram",
    "wait_seconds_sum",
    "wait_histogram",
)


def metrics_from(values: Sequence[Any]) -> TaskMetrics:
    """The counts of a row from its COUNT_COLUMNS values."""
    succeeded, failed, cancelled, attempts, run_sum, run, wait_sum, wait = values
    return TaskMetrics(
        succeeded=succeeded,
        failed=failed,
        cancelled=cancelled,
        failed_attempts=attempts,
        run_seconds_sum=run_sum,
        run=hist.decode(run),
        wait_seconds_sum=wait_sum,
        wait=hist.decode(wait),
    )


def metrics_of(row: TaskMetricsRow) -> TaskMetrics:
    """A stored row's counts."""
    return metrics_from([getattr(row, column) for column in COUNT_COLUMNS])


def _row(start: int, width: int, queue: str, name: str, m: TaskMetrics) -> TaskMetricsRow:
    return TaskMetricsRow(
        start=start,
        width=width,
        queue=queue,
        name=name,
        succeeded=m.succeeded,
        failed=m.failed,
        cancelled=m.cancelled,
        failed_attempts=m.failed_attempts,
        run_seconds_sum=m.run_seconds_sum,
        run_histogram=hist.encode(m.run),
        wait_seconds_sum=m.wait_seconds_sum,
        wait_histogram=hist.encode(m.wait),
    )
