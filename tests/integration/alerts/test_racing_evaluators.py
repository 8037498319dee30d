"""Three evaluators racing on real threads (one connection each): each move notifies once."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.db import connections

from scheduler_core.alert_wiring import AlertServices, build_alert_services
from scheduler_core.domain.alerts import AlertKind, IncidentState

from .conftest import Receiver, ShiftedClock, add_worker, rule, webhook

EVALUATORS = 3
ROUNDS = 6


def race(evaluators: list[AlertServices]) -> None:
    """Every evaluator runs one pass at the same moment, on its own thread and connection."""
    start = threading.Barrier(len(evaluators))
    errors: list[BaseException] = []

    def run(alerts: AlertServices) -> None:
        try:
            start.wait()
            alerts.run_pass()
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(alerts,)) for alerts in evaluators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_each_transition_notifies_exactly_once_with_three_evaluators_racing(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    evaluators = [build_alert_services(alias, clock=clock) for _ in range(EVALUATORS)]
    add_worker(alias, clock.now() - timedelta(seconds=40), ["raced"])
    made = rule(
        AlertKind.NO_LIVE_WORKER,
        queue="raced",
        threshold=10,
        for_seconds=20,
        renotify_seconds=60,
        channels=[webhook(receiver)],
    )
    stored = alerts.rules.create(made)
    for _ in range(ROUNDS):
        race(evaluators)  # opens and fires at once (silent for 40s > 20s), then repeats
    assert [body["event"] for body in receiver.bodies()] == ["firing"]

    clock.advance(61)
    for _ in range(ROUNDS):
        race(evaluators)
    assert [body["event"] for body in receiver.bodies()] == ["firing", "reminder"]

    add_worker(alias, clock.now(), ["raced"])
    for _ in range(ROUNDS):
        race(evaluators)
    assert [body["event"] for body in receiver.bodies()] == ["firing", "reminder", "resolved"]
    incidents = alerts.rules.incidents(rule_id=stored.id)
    assert [incident.state for incident in incidents] == [IncidentState.RESOLVED]
    # Every notification was sent once: one delivery id each, no repeats.
    ids = [post["headers"]["webhook-id"] for post in receiver.posts]
    assert len(set(ids)) == len(ids) == 3


def test_racing_evaluators_open_one_incident_and_fire_it_once_per_episode(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    evaluators = [build_alert_services(alias, clock=clock) for _ in range(EVALUATORS)]
    made = rule(AlertKind.NO_LIVE_WORKER, queue="flap", threshold=5, for_seconds=0)
    made.channels = [webhook(receiver)]
    stored = alerts.rules.create(made)
    for _episode in range(3):
        race(evaluators)  # no worker at all: fires
        add_worker(alias, clock.now(), ["flap"])
        race(evaluators)  # resolves
        clock.advance(30)  # that worker goes silent: the next episode
    events = [body["event"] for body in receiver.bodies()]
    assert events == ["firing", "resolved"] * 3
    assert len(alerts.rules.incidents(rule_id=stored.id)) == 3
