"""Alert rules as operators see them: create, change, delete, preview, acknowledge, silence.

Every rule is checked by the domain before it is stored, and every webhook URL against
the allow-list, which is read on each call so that a narrowed list applies at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..domain.alerts import (
    AlertRule,
    AlertRuleInvalid,
    Channel,
    ChannelType,
    Incident,
    Measurement,
    validate_channel,
    validate_rule,
)
from ..domain.ports import Clock
from ..domain.ports.alerts import AlertProbe, AlertRepository, Delivery

MAX_SILENCE = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Preview:
    """A rule's condition measured now, and whether it would be firing."""

    measurement: Measurement
    held_seconds: float
    fires_now: bool


class AlertRuleService:
    """The use cases behind the alert pages, the API and the admin."""

    def __init__(
        self,
        *,
        alerts: AlertRepository,
        probe: AlertProbe,
        clock: Clock,
        allowed_prefixes: Callable[[], list[str]],
    ) -> None:
        self._alerts = alerts
        self._probe = probe
        self._clock = clock
        self._allowed = allowed_prefixes

    def all(self) -> list[AlertRule]:
        """Every rule, by name."""
        return self._alerts.rules()

    def get(self, rule_id: int) -> AlertRule:
        """One rule; AlertRuleNotFound if none has the id."""
        return self._alerts.get_rule(rule_id)

    def check(self, rule: AlertRule, stored: AlertRule | None = None) -> AlertRule:
        """The rule as it would be stored (webhook secrets filled in), or AlertRuleInvalid."""
        validate_rule(rule)
        channels = [self._with_secret(c, stored) for c in rule.channels]
        allowed = self._allowed()
        for index, channel in enumerate(channels):
            validate_channel(index, channel, allowed)
        return replace(rule, name=rule.name.strip(), channels=channels)

    def create(self, rule: AlertRule) -> AlertRule:
        """Validate and store a new rule."""
        return self._alerts.add_rule(self.check(rule))

    def change(self, rule: AlertRule) -> AlertRule:
        """Validate and store a changed rule (its id says which)."""
        assert rule.id is not None
        stored = self._alerts.get_rule(rule.id)
        return self._alerts.save_rule(self.check(rule, stored))

    def delete(self, rule_id: int) -> None:
        """Delete a rule with its incidents and notifications."""
        self._alerts.delete_rule(rule_id)

    def preview(self, rule: AlertRule) -> Preview:
        """Would the rule, as typed, fire now? Measured now; nothing is stored."""
        validate_rule(rule)
        now = self._clock.now()
        measurement = self._probe.measure(rule, now)
        since = min(measurement.since or now, now)
        held = (now - since).total_seconds() if measurement.breaching else 0.0
        fires = measurement.breaching and held >= rule.for_seconds
        return Preview(measurement, held, fires)

    def silence(self, rule_id: int, seconds: int | None) -> AlertRule:
        """Mute a rule's notifications for `seconds` (at most 30 days); None lifts it."""
        if seconds is None:
            return self._alerts.set_silence(rule_id, None)
        if not 60 <= seconds <= MAX_SILENCE.total_seconds():
            raise AlertRuleInvalid("seconds", "silence for 60 seconds to 30 days")
        return self._alerts.set_silence(rule_id, self._clock.now() + timedelta(seconds=seconds))

    def silence_until(self, rule_id: int, until: datetime) -> AlertRule:
        """Mute a rule's notifications until `until`, a time within the next 30 days."""
        now = self._clock.now()
        if until.tzinfo is None or not now < until <= now + MAX_SILENCE:
            raise AlertRuleInvalid("until", "give a time zone and a time within 30 days")
        return self._alerts.set_silence(rule_id, until)

    def acknowledge(self, incident_id: int, actor: str) -> Incident:
        """Stop an open incident's reminders; its resolved notice still goes out."""
        return self._alerts.acknowledge(incident_id, actor, self._clock.now())

    def incident(self, incident_id: int) -> Incident:
        """One incident."""
        return self._alerts.get_incident(incident_id)

    def incidents(
        self, *, rule_id: int | None = None, open_only: bool = False, limit: int = 100
    ) -> list[Incident]:
        """Incidents, newest first."""
        return self._alerts.incidents(rule_id=rule_id, open_only=open_only, limit=limit)

    def deliveries(self, *, rule_id: int | None = None, limit: int = 50) -> list[Delivery]:
        """Notifications, newest first, failures included."""
        return self._alerts.deliveries(rule_id=rule_id, limit=limit)

    def now(self) -> datetime:
        """The storage's current time."""
        return self._clock.now()

    @staticmethod
    def _with_secret(channel: Channel, stored: AlertRule | None) -> Channel:
        """A webhook keeps its stored secret when its URL stays; a new one gets a fresh one."""
        if channel.type is not ChannelType.WEBHOOK or channel.secret:
            return channel
        for old in stored.channels if stored else []:
            if old.type is ChannelType.WEBHOOK and old.url == channel.url and old.secret:
                return replace(channel, secret=old.secret)
        return replace(channel, secret=secrets.token_urlsafe(24))
