"""Alert rows to domain objects and back: the one place they are turned into each other."""

from __future__ import annotations

from typing import Any

from scheduler_core.domain.alerts import (
    AlertKind,
    AlertRule,
    Channel,
    ChannelType,
    Incident,
    IncidentState,
)
from scheduler_core.domain.ports.alerts import Delivery
from scheduler_core.models import AlertRuleRecord, IncidentRecord, NotificationRecord


def channel_to_json(channel: Channel) -> dict[str, Any]:
    """A channel as stored in the rule's JSON column."""
    if channel.type is ChannelType.WEBHOOK:
        return {"type": "webhook", "url": channel.url, "secret": channel.secret}
    return {"type": "email", "to": list(channel.to)}


def channel_from_json(value: dict[str, Any]) -> Channel:
    """A stored channel."""
    return Channel(
        type=ChannelType(value["type"]),
        url=str(value.get("url", "")),
        secret=str(value.get("secret", "")),
        to=tuple(str(address) for address in value.get("to", ())),
    )


def rule_values(rule: AlertRule) -> dict[str, Any]:
    """The columns a rule's definition sets."""
    return {
        "name": rule.name,
        "kind": rule.kind.value,
        "queue": rule.queue,
        "task": rule.task,
        "threshold": rule.threshold,
        "for_seconds": rule.for_seconds,
        "renotify_seconds": rule.renotify_seconds,
        "window_seconds": rule.window_seconds,
        "min_count": rule.min_count,
        "channels": [channel_to_json(channel) for channel in rule.channels],
        "enabled": rule.enabled,
        "silenced_until": rule.silenced_until,
    }


def rule_from_record(record: AlertRuleRecord) -> AlertRule:
    """The domain rule of a row."""
    return AlertRule(
        id=record.id,
        name=record.name,
        kind=AlertKind(record.kind),
        queue=record.queue,
        task=record.task,
        threshold=record.threshold,
        for_seconds=record.for_seconds,
        renotify_seconds=record.renotify_seconds,
        window_seconds=record.window_seconds,
        min_count=record.min_count,
        channels=[channel_from_json(value) for value in record.channels],
        enabled=record.enabled,
        silenced_until=record.silenced_until,
        last_evaluated_at=record.last_evaluated_at,
        last_error=record.last_error,
    )


def incident_from_record(record: IncidentRecord) -> Incident:
    """The domain incident of a row."""
    return Incident(
        id=record.id,
        rule_id=record.rule_id,
        state=IncidentState(record.state),
        version=record.version,
        pending_since=record.pending_since,
        value=record.value,
        summary=record.summary,
        firing_since=record.firing_since,
        resolved_at=record.resolved_at,
        notified_at=record.notified_at,
        acknowledged_at=record.acknowledged_at,
        acknowledged_by=record.acknowledged_by,
    )


def delivery_from_record(record: NotificationRecord) -> Delivery:
    """The domain view of an outbox row (its rule joined in for the name)."""
    return Delivery(
        id=record.id,
        delivery_id=record.delivery_id,
        rule_id=record.rule_id,
        rule_name=record.rule.name,
        incident_id=record.incident_id,
        event=record.event,
        channel=channel_from_json(record.channel),
        subject=record.subject,
        text=record.text,
        status=record.status,
        attempts=record.attempts,
        last_error=record.last_error,
        created_at=record.created_at,
        sent_at=record.sent_at,
    )
