"""Where the current time comes from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, datetime


class Clock(ABC):
    """A source of timezone-aware current time."""

    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware."""


class SystemClock(Clock):
    """The machine's own clock, in UTC."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)
