"""What a worker can prove about its leases, on its own monotonic clock.

A lease runs from the database's clock at the write that granted or extended it. That
write happened after the worker sent it, so the time the worker *sent* it, plus the lease,
bounds the lease's end from above on the worker's clock (both clocks run at the rate of
real time; CLOCK_MONOTONIC is shared by every process of a host). An attempt is stopped a
margin before that bound: whatever happens to the supervisor, the attempt has ended by the
time another worker may rescue the task.

The same clock decides when the worker may claim: only while its heartbeats get through.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

# The margin before a lease's end at which its attempt is stopped, as a share of the lease,
# and at least MIN_MARGIN seconds: room for the kill itself (milliseconds), the slot's
# watchdog period (WATCHDOG_PERIOD), a loaded machine's scheduling delay, and clock rate
# differences between hosts (NTP slews at most 500 ppm: 30 ms over a 60 s lease).
MARGIN_SHARE = 0.1
MIN_MARGIN = 0.5
# Claims stop once the last heartbeat that got through is this many intervals old, i.e.
# one beat is overdue by half an interval.
HEALTHY_INTERVALS = 1.5


class LeaseClock:
    """The lease length, the last heartbeat that got through, and what follows from them."""

    def __init__(self, lease: timedelta, heartbeat_interval: float) -> None:
        self.lease = lease.total_seconds()
        self.heartbeat_interval = heartbeat_interval
        self.margin = max(self.lease * MARGIN_SHARE, MIN_MARGIN)
        self._lock = threading.Lock()
        self._renewed_at = time.monotonic()
        # Set when the store says this worker is dead: nothing is claimed until it registers
        # again under a new id.
        self._fenced = False

    def deadline(self, sent_at: float) -> float:
        """When (time.monotonic) an attempt whose lease was last renewed by a write sent at
        `sent_at` must have stopped."""
        return sent_at + self.lease - self.margin

    def renewed(self, sent_at: float) -> None:
        """A heartbeat sent at `sent_at` got through (or the worker registered afresh)."""
        with self._lock:
            self._renewed_at = max(self._renewed_at, sent_at)
            self._fenced = False

    def fence(self) -> None:
        """The store no longer knows this worker as alive: claim nothing until renewed."""
        with self._lock:
            self._fenced = True

    @property
    def fenced(self) -> bool:
        """True from fence() until the next renewal."""
        with self._lock:
            return self._fenced

    def silence(self) -> float:
        """Seconds since the last heartbeat that got through was sent."""
        with self._lock:
            return time.monotonic() - self._renewed_at

    def may_claim(self) -> bool:
        """True while the worker's heartbeats get through and it is not fenced."""
        with self._lock:
            if self._fenced:
                return False
            silent = time.monotonic() - self._renewed_at
        return silent < HEALTHY_INTERVALS * self.heartbeat_interval
