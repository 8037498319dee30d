"""Acknowledging stops reminders, not the resolved notice; a silence mutes, then catches up."""

from __future__ import annotations

from datetime import timedelta

from scheduler_core.alert_wiring import AlertServices
from scheduler_core.domain.alerts import AlertKind, AlertRule, IncidentState

from .conftest import Receiver, ShiftedClock, add_worker, rule, webhook


def firing_rule(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> AlertRule:
    add_worker(alias, clock.now() - timedelta(minutes=5), ["q"])
    made = rule(
        AlertKind.NO_LIVE_WORKER,
        queue="q",
        threshold=10,
        for_seconds=0,
        renotify_seconds=60,
        channels=[webhook(receiver)],
    )
    return alerts.rules.create(made)


def events(receiver: Receiver) -> list[str]:
    return [body["event"] for body in receiver.bodies()]


def test_acknowledged_incidents_get_no_reminders_but_their_resolution(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    stored = firing_rule(alias, alerts, clock, receiver)
    alerts.run_pass()
    (incident,) = alerts.rules.incidents(rule_id=stored.id, open_only=True)
    acked = alerts.rules.acknowledge(incident.id, "alice")
    assert acked.acknowledged_by == "alice" and acked.acknowledged_at is not None
    clock.advance(600)
    alerts.run_pass()
    assert events(receiver) == ["firing"]
    add_worker(alias, clock.now(), ["q"])
    alerts.run_pass()
    assert events(receiver) == ["firing", "resolved"]


def test_unacknowledged_incidents_are_reminded_at_their_interval(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    firing_rule(alias, alerts, clock, receiver)
    alerts.run_pass()
    clock.advance(59)
    alerts.run_pass()
    assert events(receiver) == ["firing"]
    clock.advance(1)
    alerts.run_pass()
    clock.advance(60)
    alerts.run_pass()
    assert events(receiver) == ["firing", "reminder", "reminder"]


def test_a_silence_mutes_firing_and_the_notice_follows_when_it_ends(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    stored = firing_rule(alias, alerts, clock, receiver)
    assert stored.id is not None
    alerts.rules.silence(stored.id, 300)
    alerts.run_pass()
    (incident,) = alerts.rules.incidents(rule_id=stored.id)
    assert incident.state is IncidentState.FIRING
    assert events(receiver) == []
    clock.advance(301)
    alerts.run_pass()
    assert events(receiver) == ["firing"]


def test_resolving_while_silenced_sends_nothing_if_nothing_was_said(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    stored = firing_rule(alias, alerts, clock, receiver)
    assert stored.id is not None
    alerts.rules.silence(stored.id, 300)
    alerts.run_pass()
    add_worker(alias, clock.now(), ["q"])
    alerts.run_pass()
    assert events(receiver) == []


def test_a_silence_started_while_firing_still_lets_the_resolved_notice_out(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    stored = firing_rule(alias, alerts, clock, receiver)
    assert stored.id is not None
    alerts.run_pass()
    alerts.rules.silence(stored.id, 3600)
    clock.advance(120)
    alerts.run_pass()  # no reminder while silenced
    add_worker(alias, clock.now(), ["q"])
    alerts.run_pass()
    assert events(receiver) == ["firing", "resolved"]


def test_lifting_a_silence(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    stored = firing_rule(alias, alerts, clock, receiver)
    assert stored.id is not None
    alerts.rules.silence(stored.id, 3600)
    alerts.run_pass()
    assert alerts.rules.silence(stored.id, None).silenced_until is None
    alerts.run_pass()
    assert events(receiver) == ["firing"]


def test_a_silence_until_a_time(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    stored = firing_rule(alias, alerts, clock, receiver)
    assert stored.id is not None
    alerts.rules.silence_until(stored.id, clock.now() + timedelta(minutes=10))
    alerts.run_pass()
    assert events(receiver) == []
    clock.advance(601)
    alerts.run_pass()
    assert events(receiver) == ["firing"]
