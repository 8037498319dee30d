"""The worker's row in the store: registered at start, its state kept, a new id after death.

A worker the store declared dead (it was paused or cut off past its lease) never writes
under its old id again: it registers afresh under a new one, so that no write of the old
identity's attempts can land.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, close_old_connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import InvalidTransition, Worker, WorkerNotFound, WorkerState

from .config import default_worker_id
from .lease_clock import LeaseClock
from .patience import when_database_answers

logger = logging.getLogger(__name__)

# How often a worker declared dead tries to come back under a new id (s).
REGISTER_PAUSE = 1.0
# Tries at writing the worker's final state (a connection cut earlier must not leave the
# row saying "running" for the maintenance to call dead).
STATE_WRITE_ATTEMPTS = 5


class Registration:
    """Writes the worker's own row: register, start, come back, drain, stop."""

    def __init__(self, services: Services, worker: Worker, lease_clock: LeaseClock) -> None:
        self.services = services
        self.worker = worker
        self.lease_clock = lease_clock

    def register_patiently(self, give_up: Callable[[], bool]) -> bool:
        """Register, waiting for a database that is away (patience.PATIENCE)."""
        try:
            when_database_answers("registering", self.register, give_up=give_up)
        except DatabaseError:
            logger.exception("worker %s could not register; giving up", self.worker.id)
            return False
        return True

    def register(self) -> None:
        """Write the worker's row, with a heartbeat stamped now by the shared clock."""
        # Not the one of the object's making: a worker coming back after a pause must not
        # look dead from the start.
        self.worker.last_heartbeat = self.services.clock.now()
        self.services.workers.register(self.worker)

    def start(self, give_up: Callable[[], bool]) -> None:
        """Record the worker as running; its leases hold from the moment this was sent."""
        # Registering may have waited for the database (register_patiently); a connection
        # cut meanwhile (a database restart, pg_terminate_backend) must not fail the start,
        # so check it out afresh.
        close_old_connections()
        sent_at = time.monotonic()
        when_database_answers(
            "starting", lambda: self.services.workers.start(self.worker.id), give_up=give_up
        )
        self.worker.state = WorkerState.RUNNING
        self.lease_clock.renewed(sent_at)

    def come_back(self, uses_database: bool) -> bool:
        """Register afresh under a new id, with a fresh heartbeat; False if that failed."""
        old = self.worker.id
        self.worker.id = default_worker_id(self.worker.hostname)
        try:
            if uses_database:
                # The main thread's connection may have died with the pause or the cut.
                close_old_connections()
            sent_at = time.monotonic()
            self.register()
            self.services.workers.start(self.worker.id)
        except Exception:
            logger.exception("worker %s could not register again; retrying", old)
            self.worker.id = old
            return False
        self.worker.state = WorkerState.RUNNING
        self.lease_clock.renewed(sent_at)
        logger.warning("worker %s, declared dead, came back as worker %s", old, self.worker.id)
        return True

    def set_state(self, state: WorkerState) -> None:
        """Record the worker as draining or stopped, retrying a failing write a few times."""
        change = {
            WorkerState.DRAINING: self.services.workers.drain,
            WorkerState.STOPPED: self.services.workers.stop,
        }[state]
        for attempt in range(1, STATE_WRITE_ATTEMPTS + 1):
            try:
                change(self.worker.id)
                break
            except (InvalidTransition, WorkerNotFound):
                # Declared dead meanwhile: there is nothing to correct.
                logger.warning("worker %s cannot be recorded as %s", self.worker.id, state)
                break
            except Exception:
                logger.exception("could not record worker %s as %s", self.worker.id, state)
                # The main thread's connection may have been cut long ago: a fresh one.
                close_old_connections()
                if attempt < STATE_WRITE_ATTEMPTS:
                    time.sleep(REGISTER_PAUSE * attempt)
        self.worker.state = state
