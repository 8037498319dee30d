"""What the alert services need from outside: rules and incidents kept, conditions
measured, notifications carried."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from ..alerts import AlertRule, Channel, Incident, Measurement, Move


class AlertRuleNotFound(LookupError):
    """No alert rule or incident has the given id."""


class DeliveryFailed(Exception):
    """A channel could not deliver; `retryable` is False when trying again cannot help."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """A notification to queue with a transition: the event and the words it carries."""

    event: str
    subject: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """One notification to one channel, from the outbox, with its delivery history."""

    id: int
    # The same on every attempt, so receivers can drop a repeat (webhook-id, Message-ID).
    delivery_id: str
    rule_id: int
    rule_name: str
    incident_id: int
    event: str
    channel: Channel
    subject: str
    text: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


class AlertRepository(ABC):
    """Rules, incidents and the notification outbox, in one store."""

    @abstractmethod
    def rules(self, *, enabled_only: bool = False) -> list[AlertRule]:
        """Every rule, by name."""

    @abstractmethod
    def get_rule(self, rule_id: int) -> AlertRule:
        """One rule; AlertRuleNotFound if none has the id."""

    @abstractmethod
    def add_rule(self, rule: AlertRule) -> AlertRule:
        """Store a new rule; AlertRuleInvalid on `name` if the name is taken."""

    @abstractmethod
    def save_rule(self, rule: AlertRule) -> AlertRule:
        """Overwrite a stored rule; AlertRuleNotFound if it is gone."""

    @abstractmethod
    def delete_rule(self, rule_id: int) -> None:
        """Remove a rule with its incidents and notifications; AlertRuleNotFound if none."""

    @abstractmethod
    def set_silence(self, rule_id: int, until: datetime | None) -> AlertRule:
        """Mute (or, with None, unmute) a rule's notifications until `until`."""

    @abstractmethod
    def record_evaluation(self, rule_id: int, at: datetime, error: str) -> None:
        """Stamp when the rule was last evaluated, and the error if that failed."""

    @abstractmethod
    def open_incident(self, rule_id: int) -> Incident | None:
        """The rule's pending or firing incident, if there is one."""

    @abstractmethod
    def open_pending(self, rule_id: int, since: datetime, measurement: Measurement) -> bool:
        """Open a pending incident; False if another evaluator opened one first."""

    @abstractmethod
    def transition(
        self,
        incident: Incident,
        move: Move,
        now: datetime,
        measurement: Measurement,
        notices: list[Notice],
        channels: list[Channel],
    ) -> bool:
        """Make `move` if the incident is still at its version; queue `notices` per channel.

        One transaction: only the caller whose compare-and-swap changed the row queues
        the notifications, so each move notifies once however many evaluators race.
        """

    @abstractmethod
    def acknowledge(self, incident_id: int, actor: str, at: datetime) -> Incident:
        """Mark an open incident acknowledged (stops its reminders)."""

    @abstractmethod
    def get_incident(self, incident_id: int) -> Incident:
        """One incident; AlertRuleNotFound if none has the id."""

    @abstractmethod
    def incidents(
        self, *, rule_id: int | None = None, open_only: bool = False, limit: int = 100
    ) -> list[Incident]:
        """Incidents, newest first."""

    @abstractmethod
    def due_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        """Queued notifications whose next attempt is due and that nobody holds."""

    @abstractmethod
    def claim(self, delivery: Delivery, now: datetime, hold_seconds: float) -> bool:
        """Take a delivery for one attempt; False if another sender took it first."""

    @abstractmethod
    def record_sent(self, delivery_id: int, at: datetime) -> None:
        """The attempt succeeded."""

    @abstractmethod
    def record_failure(self, delivery_id: int, error: str, retry_at: datetime | None) -> None:
        """The attempt failed; retry at `retry_at`, or give up when it is None."""

    @abstractmethod
    def note(self, delivery_id: int, message: str) -> None:
        """Say on a queued notification why it waits, without taking an attempt."""

    @abstractmethod
    def deliveries(self, *, rule_id: int | None = None, limit: int = 50) -> list[Delivery]:
        """Notifications, newest first, with their attempts and last errors."""


class AlertProbe(ABC):
    """Measures a rule's condition in the scheduler's state at a moment."""

    @abstractmethod
    def measure(self, rule: AlertRule, now: datetime) -> Measurement:
        """Whether the condition holds at `now`, its value, and since when."""


class ChannelSender(ABC):
    """Carries one notification to one channel."""

    def refuses(self, delivery: Delivery) -> str:
        """Why this process may not send it (its settings differ), or "" when it may."""
        return ""

    @abstractmethod
    def send(self, delivery: Delivery) -> None:
        """Deliver it, or raise DeliveryFailed."""
