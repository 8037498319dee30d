"""The worker's slots: forked at the start, replaced when one ends, fed the buffered tasks."""

from __future__ import annotations

import time

from scheduler_core.domain import Task

from .batching import batch_size
from .buffer import TaskBuffer
from .config import WorkerConfig
from .handovers import Handover
from .inbox import Inbox
from .lease_clock import LeaseClock
from .slots import ProcessSlot, Slot, ThreadSlot


class SlotPool:
    """The slots of one supervisor; only its main thread touches them."""

    def __init__(self, config: WorkerConfig, inbox: Inbox) -> None:
        self.config = config
        self.inbox = inbox
        self.slots: list[Slot] = []
        # Set once the worker drains or stops: no slot is forked any more.
        self.closed = False

    def fill(self) -> None:
        """Start the configured number of slots."""
        for _ in range(self.config.concurrency):
            # One by one, so that a failing start still stops the slots already forked.
            self.slots.append(self._new_slot())

    @property
    def running(self) -> int:
        """How many slots run an attempt."""
        return sum(slot.busy for slot in self.slots)

    def dispatch(
        self, pending: TaskBuffer, lease_clock: LeaseClock, typical_duration: float
    ) -> list[Handover]:
        """Give each idle slot the next buffered task, or several while tasks are short
        (batching.py); return the hand-overs."""
        handed: list[Handover] = []
        if not pending:
            # Most turns of the main loop: nothing waits, so no slot needs looking at.
            return handed
        # An exhausted slot's child is exiting; it is replaced when its exit is seen.
        idle = [slot for slot in self.slots if slot.accepting]
        for left, slot in enumerate(idle):
            if not pending:
                break
            shared = batch_size(typical_duration, len(pending), len(idle) - left)
            size = min(slot.batch_limit, shared)
            tasks: list[Task] = []
            oldest = float("inf")
            for _ in range(size):
                task, sent_at = pending.take()
                tasks.append(task)
                oldest = min(oldest, sent_at)
            # The batch's lease is its oldest claim's: no task outlives its own.
            first = slot.run(tasks, oldest, lease_clock.deadline(oldest))
            handed.extend(Handover(slot, first + index, task) for index, task in enumerate(tasks))
        return handed

    def timed_out(self) -> list[Slot]:
        """The slots whose attempt has run past its task's timeout."""
        now = time.monotonic()
        return [
            slot
            for slot in self.slots
            if (deadline := slot.deadline()) is not None and now >= deadline
        ]

    def retire(self, slot: Slot) -> tuple[list[Task], list[Task]]:
        """Stop the slot's attempt (kill its process, or abandon its thread) and replace it;
        the caller ends the attempt. Return the tasks that were queued behind it: those
        that began after all, and those that never did (Slot.stop_queued), for the caller
        to release and hand back (endings.queued_endings)."""
        began, unstarted = slot.stop_queued()
        slot.clear()
        self.replace(slot)
        return began, unstarted

    def replace(self, slot: Slot) -> None:
        """Put a fresh slot in the place of one that ended (unless the pool is closed)."""
        slot.retired = True
        if self.closed:
            # Never fork while stopping: the forkserver may be gone (a group SIGTERM, a
            # shutdown), and a drain has no use for a new slot.
            return
        index = self.slots.index(slot)
        self.slots[index] = self._new_slot()

    def stop_all(self) -> None:
        """Stop every slot, busy or not (the attempts were written or released before)."""
        self.closed = True
        for slot in self.slots:
            slot.stop()
        for slot in self.slots:
            slot.release()

    def _new_slot(self) -> Slot:
        slot: Slot
        if self.config.pool == "process":
            slot = ProcessSlot(self.inbox, self.config.max_tasks_per_child)
        else:
            slot = ThreadSlot(self.inbox)
        slot.start()
        return slot
