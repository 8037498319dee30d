"""`manage.py run_alerts`: one pass with --once; a bad interval is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from scheduler_core.alert_wiring import get_alert_services
from scheduler_core.bootstrap import reset_services
from scheduler_core.domain.alerts import AlertKind, AlertRule, IncidentState

from .conftest import Receiver, add_worker, webhook


@pytest.fixture
def on_alias(alias: str, settings: Settings) -> Iterator[str]:
    settings.SCHEDULER = {**settings.SCHEDULER, "DATABASE": alias}
    reset_services()
    yield alias
    reset_services()


def test_once_evaluates_every_rule_and_sends(on_alias: str, receiver: Receiver) -> None:
    rules = get_alert_services().rules
    add_worker(on_alias, rules.now() - timedelta(minutes=5), ["q"])
    rule = rules.create(
        AlertRule(
            name="q dead",
            kind=AlertKind.NO_LIVE_WORKER,
            queue="q",
            for_seconds=0,
            channels=[webhook(receiver)],
        )
    )
    call_command("run_alerts", "--once")
    (incident,) = rules.incidents(rule_id=rule.id)
    assert incident.state is IncidentState.FIRING
    assert [post["body"]["event"] for post in receiver.posts] == ["firing"]


@pytest.mark.parametrize("interval", ["0", "-1", "soon"])
def test_a_bad_interval_is_refused(interval: str) -> None:
    with pytest.raises(CommandError):
        call_command("run_alerts", "--interval", interval, "--once")
