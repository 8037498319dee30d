"""The lease guard: an attempt runs here only while this worker can prove it holds the lease.

Each attempt's lease runs from the database's clock at the last write that granted or
extended it, a moment after that write was sent (LeaseClock). The guard moves the
deadlines on when a heartbeat gets through, stops what the store no longer says is ours,
and stops everything, unwritten, when the store declared this worker dead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from uuid import UUID

from scheduler_core.domain import Task

from .buffer import TaskBuffer
from .endings import CANCELLED, Ending, queued_endings
from .held import HeldAttempts
from .lease_clock import LeaseClock
from .log_fields import task_fields
from .slot_pool import SlotPool
from .slots import Slot

logger = logging.getLogger(__name__)


class LeaseGuard:
    """Keeps the slots and the buffer to the attempts whose leases this worker holds."""

    def __init__(
        self,
        *,
        pool: SlotPool,
        pending: TaskBuffer,
        held: HeldAttempts,
        lease_clock: LeaseClock,
        end: Callable[[Task, Ending], None],
        freed: Callable[[int], None],
    ) -> None:
        self.pool = pool
        self.pending = pending
        self.held = held
        self.lease_clock = lease_clock
        # Hands an ending to the outcome writer, which frees its capacity once written.
        self.end = end
        # Frees capacity at once, for attempts dropped without a write.
        self.freed = freed

    def renew(self, sent_at: float, running: list[Task]) -> None:
        """Move the lease deadlines of the attempts a heartbeat sent at `sent_at` extended."""
        listed = {(task.id, task.attempt) for task in running}
        self.pending.renew(sent_at, (task_id for task_id, _ in listed))
        deadline = self.lease_clock.deadline(sent_at)
        for slot in self.pool.slots:
            task = slot.task
            if task is not None and (task.id, task.attempt) in listed:
                slot.renew(sent_at, deadline)

    def stop_lapsing(self) -> None:
        """Stop every attempt, and drop every buffered claim, whose lease it cannot prove.

        At its deadline another worker may soon rescue the task and start it, so going on
        would run it twice at once: stop first (the slot's watchdog does so too, should the
        main loop be frozen), write nothing, and let the rescue retry it, or give the claim
        back if it never started.
        """
        now = time.monotonic()
        cutoff = now - (self.lease_clock.lease - self.lease_clock.margin)
        dropped = self.pending.drop_sent_before(cutoff)
        if dropped:
            logger.warning(
                "dropping %d buffered tasks whose leases could not be renewed (no heartbeat "
                "got through for %.1fs); they are given back unstarted once rescued",
                len(dropped),
                self.lease_clock.silence(),
            )
            self.held.let_go(dropped)
            self.freed(len(dropped))
        for slot in self.pool.slots:
            if slot.task is not None and now >= slot.lease_deadline:
                logger.error(
                    "stopping task %s: its lease could not be renewed (no heartbeat got "
                    "through for %.1fs); another worker retries it once rescued",
                    slot.task.id,
                    self.lease_clock.silence(),
                    extra=task_fields(slot.task),
                )
                self._drop(slot)

    def reconcile(self, asked_at: float, running: list[Task]) -> None:
        """Stop what a heartbeat asked at `asked_at` says is no longer ours, or is to cancel."""
        held = {(task.id, task.attempt): task for task in running}
        self._reconcile_buffer(asked_at, held)
        for slot in self.pool.slots:
            task = slot.task
            if task is None or slot.started_at > asked_at:
                continue
            stored = held.get((task.id, task.attempt))
            if stored is None:
                # Rescued or cancelled by someone else: stop, so it never runs twice at once.
                message = "lost the lease of task %s; stopping its attempt"
                logger.warning(message, task.id, extra=task_fields(task))
                self._end_queued(*self.pool.retire(slot))
                self.freed(1)
            elif stored.cancel_requested:
                self.cancel(slot, task)

    def cancel(self, slot: Slot, task: Task) -> None:
        """Stop the slot's attempt and record the cancel its operator asked for."""
        logger.info("cancelling task %s as requested", task.id, extra=task_fields(task))
        queued = self.pool.retire(slot)
        self.end(task, CANCELLED)
        self._end_queued(*queued)

    def fence_all(self) -> None:
        """The store declared us dead: stop every attempt and drop every claim, unwritten."""
        logger.error(
            "worker was declared dead; stopping its %d attempts and %d buffered claims",
            self.pool.running,
            len(self.pending),
        )
        self.lease_clock.fence()
        while self.pending:
            task, _ = self.pending.take()
            self.held.let_go([task])
            self.freed(1)
        for slot in self.pool.slots:
            if slot.task is not None:
                self._drop(slot)

    def _drop(self, slot: Slot) -> None:
        """Stop the slot's attempt without a write: its lease is not ours to write under,
        nor that of the tasks queued with it (the rescue gives those back unstarted)."""
        assert slot.task is not None
        task = slot.task
        began, unstarted = self.pool.retire(slot)
        dropped = [task, *began, *unstarted]
        self.held.let_go(dropped)
        self.freed(len(dropped))

    def _end_queued(self, began: list[Task], unstarted: list[Task]) -> None:
        for task, ending in queued_endings(began, unstarted):
            self.end(task, ending)

    def _reconcile_buffer(self, asked_at: float, held: dict[tuple[UUID, int], Task]) -> None:
        # The heartbeat extends buffered tasks' leases like running ones' (they are running
        # in the store); one taken from us or asked to stop must not start at all.
        lost, cancelled = self.pending.settle(asked_at, held)
        for task in lost:
            message = "lost the lease of buffered task %s; dropping it"
            logger.warning(message, task.id, extra=task_fields(task))
            self.freed(1)
        for task in cancelled:
            logger.info("cancelling buffered task %s", task.id, extra=task_fields(task))
            self.end(task, CANCELLED)
