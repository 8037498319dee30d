"""The heartbeat: proves the worker lives and keeps the leases of the attempts it holds."""

from __future__ import annotations

import logging
import threading
import time

from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import InvalidTransition, Worker, WorkerNotFound

from .events import EventSink, Fenced, Heartbeat
from .held import HeldAttempts
from .lease_clock import LeaseClock
from .load_report import OutcomeTally

logger = logging.getLogger(__name__)


class HeartbeatThread(threading.Thread):
    """Every interval: stamp the worker row and extend the leases of the attempts it holds."""

    def __init__(
        self,
        *,
        services: Services,
        worker: Worker,
        inbox: EventSink,
        interval: float,
        held: HeldAttempts,
        lease_clock: LeaseClock,
        tally: OutcomeTally | None = None,
    ) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.services = services
        self.worker = worker
        self.inbox = inbox
        self.interval = interval
        self.held = held
        self.lease_clock = lease_clock
        self.tally = tally
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
        worker_id = self.worker.id
        load = None if self.tally is None else self.tally.report()
        try:
            running = self.services.workers.heartbeat(worker_id, held, load)
        except (InvalidTransition, WorkerNotFound):
            # Another worker declared us dead (we were paused or cut off too long): our
            # leases are gone. Claim nothing more; the supervisor stops every attempt and
            # comes back under a new id (an old id may never come back: its attempts were
            # rescued, and fencing names the holder).
            logger.warning("worker %s was declared dead; fencing itself", worker_id)
            self.lease_clock.fence()
            self.inbox.put(Fenced(worker_id))
            return
        except Exception:
            logger.exception("heartbeat failed; the next one retries")
            connections.close_all()
            return
        self.held.forget_unlisted(held, running)
        self.lease_clock.renewed(asked_at)
        self.inbox.put(Heartbeat(asked_at, running))
