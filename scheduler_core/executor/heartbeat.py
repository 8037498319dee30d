"""The heartbeat: proves the worker lives and keeps the leases of the attempts it holds."""

from __future__ import annotations

import logging
import queue
import threading
import time

from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import InvalidTransition, Worker, WorkerNotFound, WorkerState

from .events import Event, Heartbeat
from .held import HeldAttempts

logger = logging.getLogger(__name__)


class HeartbeatThread(threading.Thread):
    """Every interval: stamp the worker row and extend the leases of the attempts it holds."""

    def __init__(
        self,
        *,
        services: Services,
        worker: Worker,
        inbox: queue.Queue[Event],
        interval: float,
        held: HeldAttempts,
    ) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.services = services
        self.worker = worker
        self.inbox = inbox
        self.interval = interval
        self.held = held
        self.stopping = threading.Event()

    def run(self) -> None:
        """Beat until stopped."""
        try:
            while not self.stopping.wait(self.interval):
                self.beat()
        finally:
            connections.close_all()

    def beat(self) -> None:
        """One heartbeat; failures are logged, and the next beat tries again."""
        asked_at = time.monotonic()
        # Read after asked_at: the fetcher holds an attempt before it posts the claim, so one
        # missing from this snapshot reaches the supervisor after asked_at, which it allows for.
        held = self.held.snapshot()
        try:
            running = self.services.workers.heartbeat(self.worker.id, held)
        except (InvalidTransition, WorkerNotFound):
            # Another worker declared us dead (we were paused or cut off too long): come back
            # under the same id. Our tasks' leases may have been rescued meanwhile; the
            # supervisor stops any attempt the store no longer lists as ours.
            logger.warning("worker %s was declared dead; registering again", self.worker.id)
            self._register_again()
            return
        except Exception:
            logger.exception("heartbeat failed; the next one retries")
            connections.close_all()
            return
        self.held.forget_unlisted(held, running)
        self.inbox.put(Heartbeat(asked_at, running))

    def _register_again(self) -> None:
        try:
            self.services.workers.register(self.worker)
            self.services.workers.start(self.worker.id)
        except Exception:
            logger.exception("registering worker %s again failed", self.worker.id)
        else:
            self.worker.state = WorkerState.RUNNING
