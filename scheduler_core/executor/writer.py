"""The outcome writer: stores how attempts ended in the background, one transaction per batch.

The supervisor's main thread used to write each round's outcomes itself, and while it waited
for the database (a clock read, the fenced UPDATE, the events' INSERT, the commit) no slot
got its next task: slots of no-op tasks sat idle most of the time. Here the main thread
only hands finished attempts over and goes on dispatching; this thread writes whatever
accumulated while its previous write was in flight, so batches grow with the load (group
commit) and the per-task cost of a write shrinks.

Every ending goes this way (endings.py): outcomes the slots reported, and attempts the
worker ended itself (timeouts, crashed slots, cancels, hand-backs).

It also stamps the starts of the attempts the slots took since its last write (before their
outcomes, in the order they happened), leaving out those whose outcome is in the same batch
(the outcome's write covers it; a cancel or a hand-back does not, so their starts are still
stamped).

A finished attempt still counts against the worker's capacity until its outcome is
written: the worker never holds more running tasks in the store than its slots and buffer,
and a slow database slows the claims down instead of piling up unwritten outcomes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from django.db import connections

from scheduler_core.domain import Task

from .codec import Outcome
from .endings import Settled, held_until_written
from .outcomes import OutcomeRecorder

logger = logging.getLogger(__name__)

# Outcomes per transaction at most (the completion statements chunk their ids likewise).
MAX_BATCH = 500


class OutcomeWriter(threading.Thread):
    """Writes the outcomes handed to it, oldest first, and then gives their capacity back."""

    def __init__(self, recorder: OutcomeRecorder, written: Callable[[int], None]) -> None:
        super().__init__(name="outcome-writer", daemon=True)
        self.recorder = recorder
        # Called with how many outcomes a batch stored (or gave up on): frees their units.
        self.written = written
        self._waiting: list[Settled] = []
        self._in_flight: list[Settled] = []
        # Attempts whose code began, not yet stamped.
        self._starting: list[Task] = []
        self._stopping = False
        self._changed = threading.Condition()

    def submit(self, finished: list[Settled], started: Sequence[Task] = ()) -> None:
        """Queue ended attempts, and the starts of attempts, for writing."""
        if finished or started:
            with self._changed:
                self._waiting.extend(finished)
                self._starting.extend(started)
                self._changed.notify_all()

    @property
    def idle(self) -> bool:
        """True when every outcome handed over has been written."""
        with self._changed:
            return not self._waiting and not self._in_flight

    def flush(self, timeout: float) -> bool:
        """Wait until every outcome handed over is written; False if `timeout` passed first."""
        with self._changed:
            return self._changed.wait_for(
                lambda: not self._waiting and not self._in_flight, timeout
            )

    def stop(self, timeout: float) -> None:
        """Write what is waiting, then end the thread (waiting up to `timeout` seconds)."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        """Write batches until stopped and nothing is left."""
        try:
            while True:
                batch, started = self._next_batch()
                if not batch and not started:
                    return
                if batch:
                    self._write(batch, started)
                else:
                    self.recorder.mark_started(started)
        finally:
            connections.close_all()

    def _next_batch(self) -> tuple[list[Settled], list[Task]]:
        with self._changed:
            self._changed.wait_for(lambda: self._waiting or self._starting or self._stopping)
            batch = self._waiting[:MAX_BATCH]
            del self._waiting[:MAX_BATCH]
            self._in_flight = batch
            ended = {task.id for task, ending in batch if isinstance(ending, Outcome)}
            started = [task for task in self._starting if task.id not in ended]
            self._starting = []
            return batch, started

    def _write(self, batch: list[Settled], started: list[Task]) -> None:
        began = time.monotonic()
        try:
            # Never raises for a database failure: it retries, then leaves the task to the
            # rescuer (its lease expires). Anything else is a bug, logged, not a dead thread.
            self.recorder.record_many(batch, started)
        except Exception:
            logger.exception("writing %d outcomes failed; their leases will expire", len(batch))
            # Let go of them, or the heartbeat would keep their leases alive for ever.
            self.recorder.held.let_go(held_until_written(batch))
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("wrote %d outcomes in %.4fs", len(batch), time.monotonic() - began)
        with self._changed:
            self._in_flight = []
            self._changed.notify_all()
        self.written(len(batch))
