"""A clock that moves only when told to, for tests and deterministic simulations."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from scheduler_core.domain.ports import Clock

# A fixed default start keeps runs reproducible; any aware datetime works.
DEFAULT_START = datetime(2030, 1, 1, tzinfo=UTC)


class ManualClock(Clock):
    """A thread-safe clock that stands still until advanced or set."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        _require_aware(start)
        self._lock = threading.Lock()
        self._now = start

    def now(self) -> datetime:
        """The clock's current time."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` (never backwards: use set() for that); return the new time."""
        if delta < timedelta(0):
            raise ValueError("advance() moves forward only; use set() to go back in time")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment`, forwards or backwards."""
        _require_aware(moment)
        with self._lock:
            self._now = moment


def _require_aware(moment: datetime) -> None:
    if moment.utcoffset() is None:
        raise ValueError("a clock tells timezone-aware time; got a naive datetime")
