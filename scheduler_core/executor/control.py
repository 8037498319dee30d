"""The control thread: brings an operator's quiet, stop and cancel to the worker in a second.

The heartbeat also carries cancel requests, but only every third of a lease (13 to 20 s
were seen). This thread looks every POLL seconds, or at once when PostgreSQL notifies the
control channel (storage/worker_control.py), and posts what it found to the supervisor's
inbox, which does the acting: the supervisor alone touches slots.
"""

from __future__ import annotations

import logging
import threading

from django.db import connections

from scheduler_core.domain.ports import WorkerControl
from scheduler_core.domain.worker_commands import WorkerCommand

from .events import Controlled, EventSink
from .held import HeldAttempts

logger = logging.getLogger(__name__)

# Seconds between looks without a notification: the promise on SQLite is "within a second".
POLL = 0.5


class ControlThread(threading.Thread):
    """Looks for the worker's command and for cancels of the attempts it holds."""

    def __init__(
        self,
        *,
        control: WorkerControl,
        worker_id: str,
        held: HeldAttempts,
        inbox: EventSink,
        poll: float = POLL,
    ) -> None:
        super().__init__(name="control", daemon=True)
        self.control = control
        # The supervisor changes it when the worker comes back under a new id.
        self.worker_id = worker_id
        self.held = held
        self.inbox = inbox
        self.poll = poll
        self.stopping = threading.Event()
        self._posted: WorkerCommand | None = None

    def run(self) -> None:
        """Look until stopped."""
        try:
            while not self.stopping.is_set():
                try:
                    self._look()
                    self.control.wait(self.poll)
                except Exception:
                    # A database away for a while must not end the thread; the heartbeat
                    # still carries cancels meanwhile.
                    logger.exception("looking for operator commands failed")
                    connections.close_all()
                    self.stopping.wait(self.poll)
        finally:
            self.control.close()
            connections.close_all()

    def _look(self) -> None:
        state = self.control.command_of(self.worker_id)
        command = None if state is None else state.command
        new = command if command is not None and command is not self._posted else None
        cancels = frozenset(self.control.cancels_among(self.held.snapshot()))
        if new is not None or cancels:
            # A command is posted once; cancels every time they are seen, until the writes
            # that confirm them let go of the attempts.
            self._posted = command
            self.inbox.put(Controlled(new, cancels))
