"""Webhooks (signature, retries with backoff, timeout, no redirects, the allow-list) and email."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from django.core import mail
from pytest_django import Settings

from scheduler_core.alert_wiring import AlertServices
from scheduler_core.domain.alerts import (
    AlertKind,
    AlertRule,
    AlertRuleInvalid,
    Channel,
    ChannelType,
)

from .conftest import Receiver, ShiftedClock, add_worker, rule, webhook


def firing(alias: str, alerts: AlertServices, clock: ShiftedClock, *channels: Channel) -> AlertRule:
    """A stored rule whose condition holds at once (no live worker on queue q)."""
    add_worker(alias, clock.now() - timedelta(minutes=5), ["q"])
    made = rule(AlertKind.NO_LIVE_WORKER, queue="q", threshold=10, for_seconds=0)
    made.channels = list(channels)
    return alerts.rules.create(made)


def test_webhooks_are_signed_the_standard_webhooks_way(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    stored = firing(alias, alerts, clock, webhook(receiver, secret="k3y"))
    alerts.run_pass()
    (post,) = receiver.posts
    headers = post["headers"]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + post["raw"]
    expected = base64.b64encode(hmac.new(b"k3y", signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert headers["content-type"] == "application/json"
    assert post["body"]["text"].startswith(f"[FIRING] {stored.name}: no live worker serves queue q")
    assert post["body"]["rule_id"] == stored.id


def test_a_failing_webhook_is_retried_with_the_same_delivery_id_until_it_answers(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    receiver.statuses = [500, 503]
    stored = firing(alias, alerts, clock, webhook(receiver))
    alerts.run_pass()
    (delivery,) = alerts.rules.deliveries(rule_id=stored.id)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error == "attempt 1: HTTP 500: nope"
    alerts.run_pass()
    alerts.run_pass()
    (delivery,) = alerts.rules.deliveries(rule_id=stored.id)
    assert delivery.status == "sent" and delivery.attempts == 3
    ids = {post["headers"]["webhook-id"] for post in receiver.posts}
    assert [post["status"] for post in receiver.posts] == [500, 503, 200]
    assert ids == {delivery.delivery_id}


def test_retries_back_off(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver, settings: Settings
) -> None:
    from scheduler_core.alert_wiring import build_alert_services

    settings.ALERT_RETRY_BASE_SECONDS = 10.0
    slow = build_alert_services(alias, clock=clock)
    receiver.statuses = [500, 500]
    firing(alias, slow, clock, webhook(receiver))
    slow.run_pass()
    slow.run_pass()  # within the first 10 s pause: not tried again
    assert len(receiver.posts) == 1
    clock.advance(10)
    slow.run_pass()
    assert len(receiver.posts) == 2
    clock.advance(29)  # the second pause is 3 times longer: 30 s
    slow.run_pass()
    assert len(receiver.posts) == 2
    clock.advance(1)
    slow.run_pass()
    assert [post["status"] for post in receiver.posts] == [500, 500, 200]


def test_a_webhook_that_keeps_failing_is_given_up_and_shows_why(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    receiver.statuses = [500] * 5
    stored = firing(alias, alerts, clock, webhook(receiver))
    for _ in range(5):
        alerts.run_pass()
    (delivery,) = alerts.rules.deliveries(rule_id=stored.id)
    assert delivery.status == "failed" and delivery.attempts == 3
    assert delivery.last_error == "attempt 3: HTTP 500: nope"
    assert len(receiver.posts) == 3


def test_client_errors_and_redirects_are_not_retried(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver
) -> None:
    receiver.statuses = [302]
    stored = firing(alias, alerts, clock, webhook(receiver))
    alerts.run_pass()
    alerts.run_pass()
    (delivery,) = alerts.rules.deliveries(rule_id=stored.id)
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "HTTP 302" in delivery.last_error
    assert len(receiver.posts) == 1  # the redirect to the metadata address was not followed


def test_a_slow_webhook_times_out_and_is_retried(
    alias: str, alerts: AlertServices, clock: ShiftedClock, receiver: Receiver, settings: Settings
) -> None:
    from scheduler_core.alert_wiring import build_alert_services

    settings.ALERT_WEBHOOK_TIMEOUT = 0.3
    hasty = build_alert_services(alias, clock=clock)
    receiver.delay = 1.0
    stored = firing(alias, hasty, clock, webhook(receiver))
    hasty.run_pass()
    (delivery,) = hasty.rules.deliveries(rule_id=stored.id)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "timed out" in delivery.last_error


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/hook",  # another port
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/hook",
        "file:///etc/passwd",
    ],
)
def test_urls_outside_the_allow_list_are_refused_naming_the_field(
    url: str, alerts: AlertServices, receiver: Receiver
) -> None:
    made = rule(AlertKind.TASK_FAILED, channels=[Channel(type=ChannelType.WEBHOOK, url=url)])
    with pytest.raises(AlertRuleInvalid) as refused:
        alerts.rules.create(made)
    assert refused.value.field == "channels[0].url"


def test_with_an_empty_allow_list_no_webhook_can_be_added(
    alerts: AlertServices, settings: Settings
) -> None:
    settings.ALERT_WEBHOOK_ALLOWED = []
    made = rule(
        AlertKind.TASK_FAILED,
        channels=[Channel(type=ChannelType.WEBHOOK, url="https://hooks.slack.com/x")],
    )
    with pytest.raises(AlertRuleInvalid, match="webhooks are off"):
        alerts.rules.create(made)


def test_a_url_taken_off_the_allow_list_is_not_called_from_this_process(
    alias: str,
    alerts: AlertServices,
    clock: ShiftedClock,
    receiver: Receiver,
    settings: Settings,
) -> None:
    stored = firing(alias, alerts, clock, webhook(receiver))
    allowed = settings.ALERT_WEBHOOK_ALLOWED
    settings.ALERT_WEBHOOK_ALLOWED = ["https://hooks.slack.com/"]
    alerts.run_pass()
    (delivery,) = alerts.rules.deliveries(rule_id=stored.id)
    assert delivery.status == "pending" and delivery.attempts == 0
    assert "not under this process's ALERT_WEBHOOK_ALLOWED" in delivery.last_error
    assert receiver.posts == []
    # A process whose list allows it (another machine's worker, say) sends it.
    settings.ALERT_WEBHOOK_ALLOWED = allowed
    alerts.run_pass()
    assert [post["body"]["event"] for post in receiver.posts] == ["firing"]


def test_email_carries_the_rule_the_value_and_a_stable_message_id(
    alias: str, alerts: AlertServices, clock: ShiftedClock
) -> None:
    email = Channel(type=ChannelType.EMAIL, to=("ops@example.com", "oncall@example.com"))
    stored = firing(alias, alerts, clock, email)
    alerts.run_pass()
    (message,) = mail.outbox
    assert message.subject == f"[FIRING] {stored.name}"
    assert message.to == ["ops@example.com", "oncall@example.com"]
    assert "no live worker serves queue q (last heard from 300s ago)" in message.body
    assert "kind no_live_worker, scope queue q, threshold 10, for 0s" in message.body
    (delivery,) = alerts.rules.deliveries(rule_id=stored.id)
    assert message.extra_headers["Message-ID"].startswith(f"<{delivery.delivery_id}@")
    add_worker(alias, clock.now(), ["q"])
    alerts.run_pass()
    assert [m.subject for m in mail.outbox] == [
        f"[FIRING] {stored.name}",
        f"[RESOLVED] {stored.name}",
    ]


def test_bad_email_addresses_are_refused(alerts: AlertServices) -> None:
    made = rule(
        AlertKind.TASK_FAILED, channels=[Channel(type=ChannelType.EMAIL, to=("not an address",))]
    )
    with pytest.raises(AlertRuleInvalid) as refused:
        alerts.rules.create(made)
    assert refused.value.field == "channels[0].to"
