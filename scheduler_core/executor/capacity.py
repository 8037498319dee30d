"""Free-slot accounting shared by the fetcher and the supervisor: never claim more than fits.

Beyond its slots a worker may hold a few claimed tasks in a local buffer (`extra` units),
so that a slot coming free finds its next task at once instead of waiting for a claim.
A claim is made once a quarter of the open buffer is free: the other three quarters keep
the slots busy while it runs.
The buffer is only worth it while tasks are short: a long task would keep buffered ones
from other workers' idle slots. The supervisor opens and closes it as durations change.
"""

from __future__ import annotations

import threading

# A claim waits until this share of the open buffer is free (1/CLAIM_EVERY). Waiting for
# all of it, as this did first, left a short-task worker with at most its slots' tasks in
# hand while each claim ran, so its slots sat idle for a round trip and a commit per claim:
# one PostgreSQL worker with four slots drained no-ops at about 3,600/s, and at about
# 5,400/s claiming 32 of 128 (docs/performance.md, round 9).
CLAIM_EVERY = 4


class Capacity:
    """How many more tasks the worker may claim: slots (plus buffer) minus those it holds."""

    def __init__(self, total: int, extra: int = 0) -> None:
        if total < 1 or extra < 0:
            raise ValueError("capacity needs at least one slot and no negative buffer")
        # Units not held: the slots' and the buffer's, open or not.
        self._free = total + extra
        self._extra = extra
        # Buffer units claims may fill now (0: closed).
        self._buffer_open = 0
        self._changed = threading.Condition()

    def reserve(self, timeout: float) -> int:
        """Take every free unit (waiting up to `timeout` for enough); 0 if none came.

        With the buffer open, it waits until a quarter of it is free: the slots keep busy
        from the rest meanwhile, and one claim statement fetches many tasks.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: self._available() >= self._batch(), timeout):
                return 0
            taken = self._available()
            self._free -= taken
            return taken

    def release(self, count: int = 1) -> None:
        """Give back units: a slot came free, or a claim took fewer tasks than reserved."""
        if count:
            with self._changed:
                self._free += count
                self._changed.notify_all()

    def open_buffer(self, units: int) -> None:
        """Let claims fill `units` of the local buffer too (at most all of it; 0 closes it)."""
        units = max(0, min(units, self._extra))
        with self._changed:
            if self._buffer_open != units:
                self._buffer_open = units
                self._changed.notify_all()

    @property
    def free(self) -> int:
        """Units a claim could take right now."""
        with self._changed:
            return max(0, self._available())

    def _available(self) -> int:
        return self._free - (self._extra - self._buffer_open)

    def _batch(self) -> int:
        return max(1, -(-self._buffer_open // CLAIM_EVERY))
