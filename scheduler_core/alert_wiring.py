"""The composition root of alerts: the alert services wired to the database and channels.

Apart from bootstrap.py because alerts need the ORM adapters (there is no in-memory
store of alert rules): with SCHEDULER["STORAGE"] = "memory" there are no alerts.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.conf import settings

from .alert_channels import EmailSender, WebhookSender
from .conf import scheduler_conf
from .domain.alerts import ChannelType
from .domain.ports import Clock
from .services.alert_delivery import AlertDeliverer, DeliveryReport, RetryPlan
from .services.alert_evaluator import AlertEvaluator, EvaluationReport
from .services.alert_rules import AlertRuleService

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertServices:
    """Rules for the pages and the API; the evaluator and the sender for the loops."""

    rules: AlertRuleService
    evaluator: AlertEvaluator
    deliverer: AlertDeliverer

    def run_pass(self) -> tuple[EvaluationReport, DeliveryReport]:
        """Evaluate every rule, then send what is due (this pass's notices included)."""
        return self.evaluator.evaluate(), self.deliverer.deliver_due()


def allowed_prefixes() -> list[str]:
    """ALERT_WEBHOOK_ALLOWED, read on every call so that tests and reloads see changes."""
    return list(getattr(settings, "ALERT_WEBHOOK_ALLOWED", []))


def build_alert_services(database: str = "default", *, clock: Clock | None = None) -> AlertServices:
    """Alert services on the tables of `database`; `clock` overrides its clock (tests)."""
    from .storage import DatabaseClock
    from .storage.alerts import DjangoAlertProbe, DjangoAlertRepository

    clock = clock or DatabaseClock(database)
    repository = DjangoAlertRepository(database)
    probe = DjangoAlertProbe(database, stale_after=scheduler_conf().stale_after)
    retry = RetryPlan(
        attempts=int(getattr(settings, "ALERT_RETRY_ATTEMPTS", 6)),
        base_seconds=float(getattr(settings, "ALERT_RETRY_BASE_SECONDS", 5.0)),
    )
    senders = {
        ChannelType.WEBHOOK: WebhookSender(
            allowed_prefixes=allowed_prefixes,
            timeout=float(getattr(settings, "ALERT_WEBHOOK_TIMEOUT", 5.0)),
        ),
        ChannelType.EMAIL: EmailSender(),
    }
    return AlertServices(
        rules=AlertRuleService(
            alerts=repository, probe=probe, clock=clock, allowed_prefixes=allowed_prefixes
        ),
        evaluator=AlertEvaluator(alerts=repository, probe=probe, clock=clock),
        deliverer=AlertDeliverer(alerts=repository, senders=senders, clock=clock, retry=retry),
    )


_alert_services: AlertServices | None = None
_lock = threading.Lock()


def get_alert_services() -> AlertServices:
    """The process's alert services, on settings.SCHEDULER["DATABASE"]."""
    global _alert_services
    with _lock:
        if _alert_services is None:
            _alert_services = build_alert_services(scheduler_conf().database)
        return _alert_services


def reset_alert_services() -> None:
    """Forget the built alert services (tests that switch databases)."""
    global _alert_services
    with _lock:
        _alert_services = None


def alerts_enabled() -> bool:
    """Alerts live in the database: none with the in-memory storage."""
    return scheduler_conf().storage == "django"
