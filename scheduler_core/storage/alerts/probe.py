"""Each alert kind's condition, measured in the scheduler's tables at a given moment.

`now` is the evaluator's (the database clock's) time; every query compares stored times
with it, never with this process's clock. Each query reads an index or a few rows: the
waiting index for the oldest task, the transition log's window, the worker table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet, Sum

from scheduler_core.domain.alerts import AlertKind, AlertRule, Measurement
from scheduler_core.domain.ports.alerts import AlertProbe
from scheduler_core.models import (
    ActivityMinute,
    ScheduleRecord,
    TaskEvent,
    TaskRecord,
    WorkerRecord,
)
from scheduler_core.models.choices import not_for_claims, waiting

from ..worker_repository import EXITED

FINISHED = ["succeeded", "failed", "retrying"]
FAILED_ATTEMPT = ["failed", "retrying"]
RECENT_EXIT = timedelta(days=1)


class DjangoAlertProbe(AlertProbe):
    """Measures rules in database `using`; `stale_after` is when a silent worker is gone."""

    def __init__(self, using: str = "default", *, stale_after: timedelta) -> None:
        self.using = using
        self.stale_after = stale_after
        self._measures: dict[AlertKind, Callable[[AlertRule, datetime], Measurement]] = {
            AlertKind.OLDEST_READY_AGE: self._oldest_ready_age,
            AlertKind.FAILURE_RATE: self._failure_rate,
            AlertKind.TASK_FAILED: self._task_failed,
            AlertKind.NO_LIVE_WORKER: self._no_live_worker,
            AlertKind.DEAD_WORKER_HOLDING_TASKS: self._dead_holders,
            AlertKind.SCHEDULE_MISSED: self._schedule_missed,
        }

    def measure(self, rule: AlertRule, now: datetime) -> Measurement:
        """The rule's condition at `now`."""
        return self._measures[rule.kind](rule, now)

    def _tasks(self, rule: AlertRule) -> QuerySet[TaskRecord]:
        rows = TaskRecord.objects.using(self.using)
        if rule.queue:
            rows = rows.filter(queue=rule.queue)
        if rule.task:
            rows = rows.filter(name=rule.task)
        return rows

    def _oldest_ready_age(self, rule: AlertRule, now: datetime) -> Measurement:
        due = (
            self._tasks(rule)
            .filter(waiting() & not_for_claims(), run_after__lte=now)
            .order_by("run_after")
            .values_list("run_after", flat=True)
            .first()
        )
        if due is None:
            return Measurement(False, 0.0, "no due task waits")
        age = (now - due).total_seconds()
        return Measurement(
            age > rule.limit,
            age,
            f"the oldest due task has waited {age:.0f}s (limit {rule.limit:g}s)",
            since=due + timedelta(seconds=rule.limit),
        )

    def _failure_rate(self, rule: AlertRule, now: datetime) -> Measurement:
        failed, total = (
            self._attempts_logged(rule, now) if rule.task else self._attempts_counted(rule, now)
        )
        rate = 100.0 * failed / total if total else 0.0
        breaching = total >= rule.min_count and rate > rule.limit
        return Measurement(
            breaching,
            rate,
            f"{failed} of {total} attempts failed in {rule.window_seconds}s ({rate:.1f}%, "
            f"limit {rule.limit:g}% over at least {rule.min_count})",
        )

    def _attempts_counted(self, rule: AlertRule, now: datetime) -> tuple[int, int]:
        """Failed and finished attempts from the per-minute rollup the triggers keep.

        A few rows per minute, however busy the queue; the window widens to the whole
        minute it starts in (docs/counters.md).
        """
        start = int((now - timedelta(seconds=rule.window_seconds)).timestamp()) // 60 * 60
        rows = ActivityMinute.objects.using(self.using).filter(
            minute__gte=start, minute__lte=int(now.timestamp())
        )
        if rule.queue:
            rows = rows.filter(queue=rule.queue)
        sums = rows.aggregate(ok=Sum("succeeded"), bad=Sum("failed_attempts"))
        failed = int(sums["bad"] or 0)
        return failed, failed + int(sums["ok"] or 0)

    def _attempts_logged(self, rule: AlertRule, now: datetime) -> tuple[int, int]:
        """Failed and finished attempts of one task name, from the transition log's window.

        The rollup does not count by task name; this reads the window's events of that
        task's rows, which a busy log makes slower than the rollup.
        """
        events = TaskEvent.objects.using(self.using).filter(
            from_status="running",
            to_status__in=FINISHED,
            at__gte=now - timedelta(seconds=rule.window_seconds),
            at__lte=now,
            task__name=rule.task,
        )
        if rule.queue:
            events = events.filter(task__queue=rule.queue)
        total = events.count()
        return (events.filter(to_status__in=FAILED_ATTEMPT).count() if total else 0), total

    def _task_failed(self, rule: AlertRule, now: datetime) -> Measurement:
        failed = self._tasks(rule).filter(
            status="failed",
            finished_at__gte=now - timedelta(seconds=rule.window_seconds),
            finished_at__lte=now,
        )
        count = failed.count()
        last = failed.order_by("-finished_at").values_list("name", flat=True).first()
        return Measurement(
            count > rule.limit,
            float(count),
            f"{count} tasks failed for good in {rule.window_seconds}s"
            + (f", the latest {last}" if last else ""),
        )

    def _no_live_worker(self, rule: AlertRule, now: datetime) -> Measurement:
        rows = WorkerRecord.objects.using(self.using).values_list(
            "queues", "state", "last_heartbeat"
        )
        serving = [
            (state, beat) for queues, state, beat in rows if not rule.queue or rule.queue in queues
        ]
        silence = timedelta(seconds=rule.limit)
        live = [beat for state, beat in serving if state not in EXITED and now - beat <= silence]
        where = f"queue {rule.queue}" if rule.queue else "any queue"
        if live:
            return Measurement(False, 0.0, f"{len(live)} live workers serve {where}")
        # The condition began when the last worker serving the queue was last heard from.
        last = max((beat for _, beat in serving), default=None)
        quiet = (now - last).total_seconds() if last else 0.0
        heard = f"last heard from {quiet:.0f}s ago" if last else "none ever registered"
        return Measurement(True, quiet, f"no live worker serves {where} ({heard})", since=last)

    def _dead_holders(self, rule: AlertRule, now: datetime) -> Measurement:
        gone = WorkerRecord.objects.using(self.using).filter(
            Q(state__in=EXITED) | Q(last_heartbeat__lt=now - self.stale_after)
        )
        held = self._tasks(rule).filter(status="running", worker_id__in=gone.values("id"))
        count = held.count()
        return Measurement(
            count > rule.limit,
            float(count),
            f"{count} running tasks are held by dead or silent workers",
        )

    def _schedule_missed(self, rule: AlertRule, now: datetime) -> Measurement:
        late = now - timedelta(seconds=rule.limit)
        rows = ScheduleRecord.objects.using(self.using).filter(enabled=True, next_run_at__lt=late)
        if rule.queue:
            rows = rows.filter(queue=rule.queue)
        if rule.task:
            rows = rows.filter(task=rule.task)
        first = rows.order_by("next_run_at").values_list("name", "next_run_at").first()
        due = None if first is None else first[1]
        if first is None or due is None:
            return Measurement(False, 0.0, "every schedule fired on time")
        name = first[0]
        lateness = (now - due).total_seconds()
        return Measurement(
            True,
            lateness,
            f"schedule {name} is {lateness:.0f}s past its due time (limit {rule.limit:g}s)",
            since=due + timedelta(seconds=rule.limit),
        )
