"""How many short tasks one message hands a process slot.

Each task a process slot runs costs a message each way over its pipe: the supervisor
encodes and writes it and wakes the slot, which reads it, runs the task, writes the outcome
and sleeps again, and the supervisor wakes to read it. For a task of a few hundred
microseconds those two wake-ups cost more than the task: in a drain of no-ops, sending
eight tasks per message took a fifth off the CPU of the supervisor and of its slots alike
(docs/performance.md, round 16). So while the tasks are short and more of them wait than
slots are idle, one message carries several, which the slot runs one after another without
sleeping in between. Each outcome still goes back on its own as soon as it is known: a slot
that dies loses nothing it finished.

A task queued in a slot waits for the one task ahead of it, where in the buffer it waits
for any slot. So batches only form while tasks are typically short, they are shared evenly
among the idle slots, they hold little work, and a slot gives back what it has not begun
once the task it runs has gone on for QUEUE_PATIENCE (slot_queue.py), for a free slot here
or another worker to run at once.
"""

from __future__ import annotations

from .buffer_sizing import DURATION_WEIGHT

# The most tasks one message carries; beyond eight the drain measured no further gain.
MAX_BATCH = 8
# Tasks go in batches only while a typical task takes less than this (s).
BATCH_WHILE_TASKS_UNDER = 0.005
# The work (s) one batch may hold, by the typical duration: what its last task may wait.
BATCH_WORK = 0.02
# How long (s) a slot's task may run before the slot gives back the tasks queued behind it.
QUEUE_PATIENCE = 0.05


class RunTimes:
    """A running average of how long attempts' code ran in process slots (as each slot
    measured it, so that the supervisor's own delays under load do not count)."""

    def __init__(self) -> None:
        # Starts above the bar: a few short tasks must finish before batches form.
        self.typical = 2 * BATCH_WHILE_TASKS_UNDER

    def note(self, seconds: float | None) -> None:
        """Take in one attempt's run time (None: a slot that does not measure, ignored)."""
        if seconds is not None:
            self.typical += DURATION_WEIGHT * (seconds - self.typical)


def batch_size(typical_duration: float, waiting: int, idle_slots: int) -> int:
    """How many of `waiting` tasks the next of `idle_slots` idle slots is sent at once.

    One while tasks are not short; else the waiting tasks shared evenly among the idle
    slots (so that none takes a queue while another takes nothing), within MAX_BATCH and
    BATCH_WORK.
    """
    if idle_slots <= 0 or waiting <= 1 or typical_duration >= BATCH_WHILE_TASKS_UNDER:
        return 1
    by_work = int(BATCH_WORK / max(typical_duration, 1e-6))
    return max(1, min(MAX_BATCH, waiting // idle_slots, by_work))
