"""Tasks handed to slots whose code has not begun yet: their starts wait to be stamped.

A stamped start makes a lost claim cost an attempt (Task.rescue), so it must not come
before the task's code begins. The supervisor used to stamp at the hand-over; a worker
frozen whole (SIGSTOP of its group, a VM pause) between the writer's stamp and the slot's
first step past its lease had its claim charged though the code never ran, and the thawed
slot then stopped itself before beginning it. Each slot counts the attempts it began
(in memory shared with a process slot), and a start goes to the writer once it is counted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from scheduler_core.domain import Task

from .slots import Slot

# How soon (s) the main loop looks again while a hand-over has not begun: a slot takes a
# task well under a millisecond after it is sent, unless it is starved or frozen.
BEGIN_POLL = 0.002
# Uncounted for this long (s), the slot is starved or frozen: the main loop goes back to its
# usual tick instead of waking 500 times a second until the slot moves.
BEGIN_PATIENCE = 0.1


@dataclass(frozen=True, slots=True)
class Handover:
    """The `number`-th task sent to `slot`."""

    slot: Slot
    number: int
    task: Task

    @property
    def begun(self) -> bool:
        """True once the slot has counted this task's code as begun."""
        return self.slot.begun >= self.number

    @property
    def pending(self) -> bool:
        """True while the slot still holds the task and may yet begin it."""
        return self.slot.holds(self.task) and not self.slot.retired


def sort_handovers(handovers: list[Handover]) -> tuple[list[Task], list[Handover]]:
    """The tasks whose code began (their starts to stamp), and the hand-overs still waiting.

    A hand-over that ended before its code began (the slot retired, its task ended or given
    back) has nothing to stamp and is dropped.
    """
    begun: list[Task] = []
    waiting: list[Handover] = []
    for handover in handovers:
        if handover.begun:
            begun.append(handover.task)
        elif handover.pending:
            waiting.append(handover)
    return begun, waiting


def next_look(handovers: list[Handover], tick: float) -> float:
    """How long the main loop may wait for events: BEGIN_POLL while a hand-over is fresh."""
    now = time.monotonic()
    if any(now - handover.slot.started_at < BEGIN_PATIENCE for handover in handovers):
        return BEGIN_POLL
    return tick
