"""The fetcher: claims batches of due tasks sized to the free slots and the open buffer.

It claims only while the worker can prove its leases (LeaseClock.may_claim): a worker whose
heartbeats do not get through, or that the store declared dead, would only claim tasks it
must drop again, each then waiting out its lease before another worker could run it.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, Worker

from .capacity import Capacity
from .events import Claimed, EventSink
from .held import HeldAttempts
from .lease_clock import LeaseClock

logger = logging.getLogger(__name__)

# Pause after a failed claim (database down or restarting) before trying again.
ERROR_PAUSE = 1.0
# How often a worker that cannot prove its leases looks again whether it may claim.
DOUBT_PAUSE = 0.1


class Fetcher(threading.Thread):
    """Claims for free slots and posts what it claimed to the supervisor's inbox."""

    def __init__(
        self,
        *,
        services: Services,
        worker: Worker,
        capacity: Capacity,
        inbox: EventSink,
        idle_wait: float,
        held: HeldAttempts,
        lease_clock: LeaseClock,
        prefetch: int = 0,
    ) -> None:
        super().__init__(name="fetcher", daemon=True)
        self.services = services
        self.worker = worker
        self.capacity = capacity
        self.inbox = inbox
        self.idle_wait = idle_wait
        self.prefetch = prefetch
        self.held = held
        self.lease_clock = lease_clock
        self.stopping = threading.Event()
        # Set when an operator quieted the worker: it claims nothing more, but stays up.
        self.quiet = threading.Event()
        # The last claim came back short: the queues ran dry, or a limit or a rate holds the
        # rest back. Claiming again at once only came back empty, twice per task for an
        # idle worker (its own claim, then the waiting claim's first look), each a statement
        # on the server and Python in this thread while the task's slot needed the CPU. So
        # it waits for news first (a NOTIFY, an enqueue here, the poll interval).
        self.dry = False

    def run(self) -> None:
        """Claim until stopped."""
        try:
            # Listening starts now (PostgreSQL), before the first claim: what is announced
            # after it ends the first wait at once.
            self.services.workers.wait_for_work(self.worker, timeout=0)
            while not self.stopping.is_set():
                if self.quiet.is_set() or not self.lease_clock.may_claim():
                    self.stopping.wait(DOUBT_PAUSE)
                    continue
                reserved = self.capacity.reserve(timeout=0.2)
                if reserved and self.dry:
                    # Units reserved before the wait are given back, and reserved afresh
                    # after it: meanwhile the supervisor may have shut the buffer and handed
                    # its tasks back, and a claim on the old reservation took them straight
                    # back (a task handed back behind a long run claimed again a second later).
                    self.capacity.release(reserved)
                    self._wait_for_work()
                    self.dry = False
                    continue
                if reserved:
                    # Taken before the guard is asked again, so a pause in between makes the
                    # claim look older than it is, never younger.
                    sent_at = time.monotonic()
                    claimed = self._claim(reserved) if self.lease_clock.may_claim() else []
                    self.capacity.release(reserved - len(claimed))
                    if claimed:
                        # Held before the supervisor hears of them: the heartbeat extends
                        # them while the claim waits in the inbox.
                        self.held.hold(claimed)
                        self.inbox.put(Claimed(claimed, sent_at))
        finally:
            connections.close_all()

    def _claim(self, limit: int) -> list[Task]:
        try:
            claimed = self.services.workers.claim(self.worker, limit, prefetch=self.prefetch)
        except Exception:
            logger.exception("claiming failed; retrying in %.1fs", ERROR_PAUSE)
            connections.close_all()
            self.stopping.wait(ERROR_PAUSE)
            self.dry = False
            return []
        # `limit` is what the capacity reserved, never more than the slots and the buffer,
        # which is all the service caps a claim to: fewer back means nothing more was due.
        self.dry = len(claimed) < limit
        return claimed

    def _wait_for_work(self) -> None:
        try:
            self.services.workers.wait_for_work(self.worker, timeout=self.idle_wait)
        except Exception:
            # The claim after it runs all the same, and reports what is wrong.
            logger.exception("waiting for work failed")
