"""Each alert kind, on SQLite and PostgreSQL: pending, firing after its "for", resolved.

Rows are written straight into the tables (the probe only reads them) and time passes on
a clock the test moves, so each step is exact: not firing a second before "for" has
passed, firing (one notice) once it has, resolved (one notice) when the condition clears.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from scheduler_core.alert_wiring import AlertServices
from scheduler_core.domain.alerts import AlertKind, AlertRule, IncidentState
from scheduler_core.models import ScheduleRecord, TaskEvent, TaskRecord, WorkerRecord

from .conftest import Receiver, ShiftedClock, add_task, add_worker, rule, webhook

FOR = 30


def move_to(clock: ShiftedClock, instant: datetime) -> None:
    """Set the clock's now to `instant`."""
    clock.offset += instant - clock.now()


def oldest_ready_age(alias: str, clock: ShiftedClock) -> tuple[AlertRule, Callable[[], None]]:
    now = clock.now()
    task = add_task(alias, now, queue="aged", run_after=now - timedelta(seconds=20))
    add_task(alias, now, queue="other", run_after=now - timedelta(hours=1))

    def clear() -> None:
        TaskRecord.objects.using(alias).filter(id=task.id).update(status="succeeded")

    return rule(AlertKind.OLDEST_READY_AGE, queue="aged", threshold=10, for_seconds=FOR), clear


def failure_rate(alias: str, clock: ShiftedClock) -> tuple[AlertRule, Callable[[], None]]:
    now = clock.now()
    for outcome in ("failed", "retrying", "succeeded"):
        task = add_task(alias, now, status=outcome, name="app.flaky")
        TaskEvent.objects.using(alias).create(
            task=task, from_status="running", to_status=outcome, at=now, attempt=1, actor="w"
        )
    kind = AlertKind.FAILURE_RATE
    made = rule(kind, task="app.flaky", threshold=50, min_count=3, window_seconds=120)
    made.for_seconds = FOR
    return made, lambda: clock.advance(200)  # the failures leave the window


def failure_rate_of_a_queue(
    alias: str, clock: ShiftedClock
) -> tuple[AlertRule, Callable[[], None]]:
    """Without a task name the rate comes from the per-minute rollup the triggers keep."""
    now = clock.now()
    for outcome in ("failed", "failed", "succeeded"):
        task = add_task(alias, now, status=outcome, queue="shaky")
        TaskEvent.objects.using(alias).create(
            task=task, from_status="running", to_status=outcome, at=now, attempt=1, actor="w"
        )
    for _ in range(3):  # counted in, these would bring the rate down to 33 %
        other = add_task(alias, now, status="succeeded", queue="calm")
        TaskEvent.objects.using(alias).create(
            task=other, from_status="running", to_status="succeeded", at=now, attempt=1, actor="w"
        )
    kind = AlertKind.FAILURE_RATE
    made = rule(kind, queue="shaky", threshold=60, min_count=3, window_seconds=120)
    made.for_seconds = FOR
    return made, lambda: clock.advance(200)


def task_failed(alias: str, clock: ShiftedClock) -> tuple[AlertRule, Callable[[], None]]:
    add_task(alias, clock.now(), status="failed", finished_at=clock.now())
    made = rule(AlertKind.TASK_FAILED, window_seconds=120, for_seconds=FOR)
    return made, lambda: clock.advance(200)


def no_live_worker(alias: str, clock: ShiftedClock) -> tuple[AlertRule, Callable[[], None]]:
    add_worker(alias, clock.now() - timedelta(seconds=20), ["lonely"])
    add_worker(alias, clock.now(), ["elsewhere"])
    made = rule(AlertKind.NO_LIVE_WORKER, queue="lonely", threshold=10, for_seconds=FOR)

    def clear() -> None:
        add_worker(alias, clock.now(), ["lonely", "b"])

    return made, clear


def dead_worker_holding_tasks(
    alias: str, clock: ShiftedClock
) -> tuple[AlertRule, Callable[[], None]]:
    worker = add_worker(alias, clock.now() - timedelta(seconds=5), ["default"], state="dead")
    task = add_task(alias, clock.now(), status="running", worker_id=worker)

    def clear() -> None:
        TaskRecord.objects.using(alias).filter(id=task.id).update(status="ready", worker_id=None)

    return rule(AlertKind.DEAD_WORKER_HOLDING_TASKS, for_seconds=FOR), clear


def schedule_missed(alias: str, clock: ShiftedClock) -> tuple[AlertRule, Callable[[], None]]:
    ScheduleRecord.objects.using(alias).create(
        name="nightly",
        task="demo.tasks.quick",
        interval_seconds=60,
        next_run_at=clock.now() - timedelta(seconds=20),
    )

    def clear() -> None:
        ScheduleRecord.objects.using(alias).update(next_run_at=clock.now() + timedelta(60))

    return rule(AlertKind.SCHEDULE_MISSED, threshold=10, for_seconds=FOR), clear


KINDS = [
    oldest_ready_age,
    failure_rate,
    failure_rate_of_a_queue,
    task_failed,
    no_live_worker,
    dead_worker_holding_tasks,
    schedule_missed,
]


def test_every_kind_has_a_case() -> None:
    assert {kind.value for kind in AlertKind} <= {case.__name__ for case in KINDS}


@pytest.mark.parametrize("case", KINDS, ids=lambda case: case.__name__)
def test_fires_after_its_for_duration_and_resolves(
    case: Callable[[str, ShiftedClock], tuple[AlertRule, Callable[[], None]]],
    alias: str,
    alerts: AlertServices,
    clock: ShiftedClock,
    receiver: Receiver,
) -> None:
    made, clear = case(alias, clock)
    made.channels = [webhook(receiver)]
    stored = alerts.rules.create(made)
    assert stored.id is not None

    alerts.run_pass()
    (incident,) = alerts.rules.incidents(rule_id=stored.id)
    assert incident.state is IncidentState.PENDING

    move_to(clock, incident.pending_since + timedelta(seconds=FOR - 1))
    alerts.run_pass()
    assert alerts.rules.incident(incident.id).state is IncidentState.PENDING
    assert receiver.posts == []

    move_to(clock, incident.pending_since + timedelta(seconds=FOR))
    alerts.run_pass()
    alerts.run_pass()
    assert alerts.rules.incident(incident.id).state is IncidentState.FIRING
    assert [body["event"] for body in receiver.bodies()] == ["firing"]
    assert receiver.bodies()[0]["text"].startswith(f"[FIRING] {stored.name}: ")

    clear()
    alerts.run_pass()
    alerts.run_pass()
    resolved = alerts.rules.incident(incident.id)
    assert resolved.state is IncidentState.RESOLVED
    assert [body["event"] for body in receiver.bodies()] == ["firing", "resolved"]
    assert all(d.status == "sent" for d in alerts.rules.deliveries(rule_id=stored.id))


def test_a_pending_incident_that_clears_closes_without_a_word(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    made, clear = schedule_missed(alias, clock)
    made.channels = [webhook(receiver)]
    stored = alerts.rules.create(made)
    alerts.run_pass()
    clear()
    alerts.run_pass()
    (incident,) = alerts.rules.incidents(rule_id=stored.id)
    assert incident.state is IncidentState.OK
    assert receiver.posts == []


def test_a_worker_that_stopped_cleanly_no_longer_counts_as_live(
    alias: str, alerts: AlertServices, clock: ShiftedClock
) -> None:
    add_worker(alias, clock.now(), ["q"], state="stopped")
    stored = alerts.rules.create(rule(AlertKind.NO_LIVE_WORKER, queue="q", for_seconds=0))
    alerts.run_pass()
    (incident,) = alerts.rules.incidents(rule_id=stored.id)
    assert incident.state is IncidentState.FIRING
    assert WorkerRecord.objects.using(alias).count() == 1


def test_a_rule_whose_measurement_fails_keeps_its_incident(
    alias: str, alerts: AlertServices, clock: ShiftedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_worker(alias, clock.now() - timedelta(minutes=5), ["q"])
    stored = alerts.rules.create(rule(AlertKind.NO_LIVE_WORKER, queue="q", for_seconds=0))
    alerts.run_pass()
    assert stored.id is not None

    def broken(*args: object) -> None:
        raise RuntimeError("database away")

    monkeypatch.setattr(alerts.evaluator._probe, "measure", broken)
    report, _ = alerts.run_pass()
    assert report.errors == 1
    (incident,) = alerts.rules.incidents(rule_id=stored.id)
    assert incident.state is IncidentState.FIRING


def test_disabling_a_firing_rule_resolves_its_incident(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    from dataclasses import replace

    add_worker(alias, clock.now() - timedelta(minutes=5), ["q"])
    made = rule(AlertKind.NO_LIVE_WORKER, queue="q", for_seconds=0, channels=[webhook(receiver)])
    stored = alerts.rules.create(made)
    alerts.run_pass()
    alerts.rules.change(replace(stored, enabled=False))
    alerts.run_pass()
    (incident,) = alerts.rules.incidents(rule_id=stored.id)
    assert incident.state is IncidentState.RESOLVED
    assert incident.summary == "the rule was disabled"
    assert [body["event"] for body in receiver.bodies()] == ["firing", "resolved"]
