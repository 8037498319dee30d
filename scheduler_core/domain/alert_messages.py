"""The words of alert notifications: one line for chat (Slack's `text`), more for email."""

from __future__ import annotations

from datetime import datetime

from .alerts import AlertRule, Incident, Measurement, NotificationEvent

PREFIX = {
    NotificationEvent.FIRING: "FIRING",
    NotificationEvent.REMINDER: "STILL FIRING",
    NotificationEvent.RESOLVED: "RESOLVED",
}


def subject(event: str, rule: AlertRule) -> str:
    """ "[FIRING] default stuck": the email subject and the first words of the text."""
    return f"[{PREFIX[NotificationEvent(event)]}] {rule.name}"


def text(
    event: str, rule: AlertRule, incident: Incident, measurement: Measurement, now: datetime
) -> str:
    """The message: what, where, the value measured, and since when."""
    since = incident.firing_since or incident.pending_since
    lines = [
        f"{subject(event, rule)}: {measurement.summary}",
        f"kind {rule.kind.value}, scope {rule.scope}, threshold {rule.limit:g}, "
        f"for {rule.for_seconds}s",
        f"incident {incident.id}, since {since.isoformat()}, at {now.isoformat()}",
    ]
    return "\n".join(lines)
