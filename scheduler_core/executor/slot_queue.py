"""Inside a process slot: the tasks of one message, begun one by one, the rest given back.

The slot's main thread takes the tasks in order; the watchdog thread, which wakes every
tenth of a second anyway, gives back those not begun once the task being run has taken
QUEUE_PATIENCE (batching.py). Both act under one lock, and the shared `begun` counter moves
under it too, so a task is either begun or given back, never both, and the supervisor
learns which from the slot itself: the message names the first task given back by its
number, and every later one of the batch goes with it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from scheduler_core.domain import Task

from .batching import QUEUE_PATIENCE

# The message that gives back the tasks of a batch from a number on: b"B" + the number.
GIVEN_BACK_PREFIX = b"B"


def given_back_message(first: int) -> bytes:
    """The message giving back every task sent to the slot from the `first`-th on."""
    return GIVEN_BACK_PREFIX + str(first).encode()


def decode_given_back(data: bytes) -> int:
    """The number of the first task given back (the message after GIVEN_BACK_PREFIX)."""
    return int(data[len(GIVEN_BACK_PREFIX) :])


class SlotQueue:
    """The batch a slot runs now; its main thread begins tasks, its watchdog gives back."""

    def __init__(self, begun: Any, send: Callable[[bytes], None]) -> None:
        self._lock = threading.Lock()
        # The shared count of tasks this slot began, which numbers them (handovers.py).
        self._begun = begun
        self._send = send
        self._tasks: list[Task] = []
        self._next = 0
        self._began_at = 0.0

    def load(self, tasks: list[Task]) -> None:
        """Take the tasks of a new message (the previous batch is done)."""
        with self._lock:
            self._tasks = tasks
            self._next = 0

    def next(self) -> Task | None:
        """The next task, counted as begun now; None once the batch is done or given back."""
        with self._lock:
            if self._next >= len(self._tasks):
                return None
            task = self._tasks[self._next]
            self._next += 1
            self._begun.value += 1
            self._began_at = time.monotonic()
            return task

    def give_back_if_stuck(self, now: float) -> int:
        """Give back the tasks not begun once the one running has taken QUEUE_PATIENCE;
        return how many went back."""
        with self._lock:
            left = len(self._tasks) - self._next
            if not left or now - self._began_at < QUEUE_PATIENCE:
                return 0
            self._next = len(self._tasks)
            self._send(given_back_message(int(self._begun.value) + 1))
            return left
