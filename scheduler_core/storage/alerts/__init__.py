"""The ORM adapters of the alert ports: rules, incidents and outbox; the condition probe."""

from .probe import DjangoAlertProbe
from .repository import DjangoAlertRepository

__all__ = ["DjangoAlertProbe", "DjangoAlertRepository"]
