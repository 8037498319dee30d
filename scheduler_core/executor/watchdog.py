"""A slot process's own guard: it ends the attempt it runs before the attempt's lease can.

It also gives back the tasks queued behind a long-running one (slot_queue.py).

The supervisor writes each slot's lease deadline (time.monotonic) into memory shared with
the slot whenever a heartbeat extends the lease. This thread, inside the slot, exits the
process once the deadline passes while an attempt runs, or as soon as the supervisor's
process ends. It needs nothing from the supervisor to do so: it works when the supervisor
was SIGKILLed (its pidfd turns readable), frozen by SIGSTOP or a VM pause, or cut off from
the database (the deadline stops moving). The forkserver that forked the slot is not its
supervisor, so neither the parent pid nor PR_SET_PDEATHSIG would tell.
"""

from __future__ import annotations

import os
import select
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .slot_queue import SlotQueue

# How often the deadline is looked at (s). The supervisor's death wakes the thread at once.
WATCHDOG_PERIOD = 0.1
# Exit codes the supervisor (when alive) recognises in its logs.
EXIT_LEASE_LAPSED = 75
EXIT_SUPERVISOR_GONE = 76


class Watchdog(threading.Thread):
    """Ends the slot process when its attempt's lease deadline passes or the supervisor dies."""

    def __init__(self, deadline: Any, supervisor_pid: int, queue: SlotQueue | None = None) -> None:
        super().__init__(name="slot-watchdog", daemon=True)
        # The batch the slot runs, whose waiting tasks go back behind a long one.
        self.queue = queue
        # A shared double (multiprocessing RawValue 'd'): the lease deadline of the attempt.
        self.deadline = deadline
        # Set while an attempt runs; an idle slot has no lease to outlive.
        self.busy = threading.Event()
        try:
            self._supervisor = os.pidfd_open(supervisor_pid)
        except ProcessLookupError:
            # The supervisor died before this slot got going.
            os._exit(EXIT_SUPERVISOR_GONE)

    def run(self) -> None:
        """Watch until the process ends."""
        poller = select.poll()
        poller.register(self._supervisor, select.POLLIN)
        while True:
            if poller.poll(int(WATCHDOG_PERIOD * 1000)):
                self._exit(EXIT_SUPERVISOR_GONE, "its supervisor is gone")
            if self.busy.is_set():
                self.stop_if_lapsed()
                if self.queue is not None:
                    self.queue.give_back_if_stuck(time.monotonic())

    def stop_if_lapsed(self) -> None:
        """End the process now if the attempt's lease deadline has passed."""
        if time.monotonic() >= self.deadline.value:
            self._exit(EXIT_LEASE_LAPSED, "the lease of its attempt could not be renewed")

    def _exit(self, code: int, why: str) -> None:
        # os._exit at once: no cleanup in the task's code may run past the lease.
        sys.stderr.write(f"slot {os.getpid()} stops its attempt: {why}\n")
        sys.stderr.flush()
        os._exit(code)
