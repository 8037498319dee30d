"""Free-slot accounting shared by the fetcher and the supervisor: never claim more than fits."""

from __future__ import annotations

import threading


class Capacity:
    """How many more tasks the worker may claim: slots minus running, queued and in-flight."""

    def __init__(self, total: int) -> None:
        self._free = total
        self._changed = threading.Condition()

    def reserve(self, timeout: float) -> int:
        """Take every free unit (waiting up to `timeout` for one); 0 if none became free."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._free > 0, timeout=timeout):
                return 0
            taken, self._free = self._free, 0
            return taken

    def release(self, count: int = 1) -> None:
        """Give back units: a slot came free, or a claim took fewer tasks than reserved."""
        if count:
            with self._changed:
                self._free += count
                self._changed.notify_all()

    @property
    def free(self) -> int:
        """Units not reserved right now."""
        with self._changed:
            return self._free
