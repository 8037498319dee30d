"""Cron arithmetic, kept behind a port so the domain needs no cron library."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from zoneinfo import ZoneInfo


class CronCalendar(ABC):
    """Evaluates cron expressions in a time zone's local wall-clock time."""

    @abstractmethod
    def validate(self, expression: str) -> None:
        """Raise ValueError, with a message for people, unless `expression` is usable."""

    @abstractmethod
    def next_after(self, expression: str, tz: ZoneInfo, moment: datetime) -> datetime:
        """The first firing instant strictly after the aware `moment`, in UTC."""
