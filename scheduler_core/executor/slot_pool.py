"""The worker's slots: forked at the start, replaced when one ends, fed the buffered tasks."""

from __future__ import annotations

import time

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

    def dispatch(self, pending: TaskBuffer, lease_clock: LeaseClock) -> list[Handover]:
        """Give each idle slot the next buffered task; return the hand-overs."""
        handed: list[Handover] = []
        for slot in self.slots:
            if not pending:
                break
            # An exhausted slot's child is exiting; it is replaced when its exit is seen.
            if slot.accepting:
                task, sent_at = pending.take()
                number = slot.run(task, sent_at, lease_clock.deadline(sent_at))
                handed.append(Handover(slot, number, task))
        return handed

    def timed_out(self) -> list[Slot]:
        """The slots whose attempt has run past its task's timeout."""
        now = time.monotonic()
        return [
            slot
            for slot in self.slots
            if (deadline := slot.deadline()) is not None and now >= deadline
        ]

    def retire(self, slot: Slot) -> None:
        """Stop the slot's attempt (kill its process, or abandon its thread) and replace it."""
        slot.task = None
        slot.stop()
        self.replace(slot)

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
