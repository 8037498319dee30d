"""Sending queued alert notifications: claim one, send it outside any transaction, record.

At least once per notification: a sender that dies after sending and before recording
leaves the claim to expire, and the next pass sends again with the same delivery id
(the webhook-id header, the email Message-ID), by which receivers drop the repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from ..domain.alerts import ChannelType
from ..domain.ports import Clock
from ..domain.ports.alerts import AlertRepository, ChannelSender, Delivery, DeliveryFailed

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPlan:
    """How often and how far apart a failing notification is tried again."""

    attempts: int = 6
    base_seconds: float = 5.0
    factor: float = 3.0
    cap_seconds: float = 3600.0
    # A claim outlives the slowest send (its timeout), so two senders never overlap.
    hold_seconds: float = 60.0

    def delay(self, attempt: int) -> timedelta:
        """The pause after failed attempt number `attempt` (1-based)."""
        return timedelta(
            seconds=min(self.cap_seconds, self.base_seconds * self.factor ** (attempt - 1))
        )


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one pass did."""

    sent: int = 0
    failed: int = 0


class AlertDeliverer:
    """Sends due notifications from the outbox through their channel's sender."""

    def __init__(
        self,
        *,
        alerts: AlertRepository,
        senders: Mapping[ChannelType, ChannelSender],
        clock: Clock,
        retry: RetryPlan | None = None,
        batch_size: int = 50,
    ) -> None:
        self._alerts = alerts
        self._senders = senders
        self._clock = clock
        self._retry = retry or RetryPlan()
        self._batch_size = batch_size

    def deliver_due(self) -> DeliveryReport:
        """Try every due notification once."""
        sent = failed = 0
        now = self._clock.now()
        for delivery in self._alerts.due_deliveries(now, self._batch_size):
            refusal = self._senders[delivery.channel.type].refuses(delivery)
            if refusal:
                # Left for a process whose settings allow it (workers on other machines
                # may have other environments); the reason shows on the rule's page.
                self._alerts.note(delivery.id, f"not sent from here: {refusal}")
                continue
            if not self._alerts.claim(delivery, now, self._retry.hold_seconds):
                continue  # another sender holds it
            if self._attempt(delivery):
                sent += 1
            else:
                failed += 1
        return DeliveryReport(sent, failed)

    def _attempt(self, delivery: Delivery) -> bool:
        attempt = delivery.attempts + 1
        try:
            self._senders[delivery.channel.type].send(delivery)
        except DeliveryFailed as error:
            last = attempt >= self._retry.attempts or not error.retryable
            retry_at = None if last else self._clock.now() + self._retry.delay(attempt)
            logger.warning(
                "alert notification %s to %s failed (attempt %d%s): %s",
                delivery.delivery_id,
                delivery.channel.type.value,
                attempt,
                ", giving up" if last else "",
                error,
            )
            self._alerts.record_failure(delivery.id, f"attempt {attempt}: {error}", retry_at)
            return False
        self._alerts.record_sent(delivery.id, self._clock.now())
        return True
