"""Stopping a worker: the signals that ask for it, and the steps that leave nothing behind.

The first SIGTERM or SIGINT (or an operator's stop) drains: nothing new is claimed or
started, buffered claims go back unstarted, what is running finishes. A second one, or the
end of the shutdown timeout, stops at once: each unfinished task is handed back (its lease
ends now, the rescue takes it).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Protocol

from scheduler_core.domain import Task

from .buffer import TaskBuffer
from .endings import HANDED_BACK, RELEASED, Ending, queued_endings
from .slot_pool import SlotPool

logger = logging.getLogger(__name__)

# The exit code after a second signal cut the drain short.
EXIT_FORCED = 1
# How long stopping waits for the outcome writer to store what ended (s): longer than its
# retries of a failing write, which end by leaving the tasks to the rescuer.
WRITER_STOP_TIMEOUT = 60.0


class StopSignals:
    """Counts the requests to stop; the main loop acts on the count within a tick."""

    def __init__(self) -> None:
        self.count = 0

    def install(self) -> None:
        """Take SIGTERM and SIGINT (the process's main thread only)."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def ask(self) -> None:
        """An operator's stop: a drain, as a first signal asks."""
        self.count = max(self.count, 1)

    def asked(self) -> bool:
        """True once a stop was asked for (drain)."""
        return self.count > 0

    def forced(self) -> bool:
        """True once a second signal asked to stop at once."""
        return self.count >= 2

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # Only count here: a handler runs between two bytecodes of the main loop.
        self.count += 1


class _Stoppable(Protocol):
    stopping: threading.Event

    def is_alive(self) -> bool: ...

    def join(self, timeout: float | None = None) -> None: ...


def stop_threads(threads: Iterable[_Stoppable], timeout: float) -> None:
    """Tell each background thread to stop, then wait for each up to `timeout` seconds."""
    threads = list(threads)
    for thread in threads:
        thread.stopping.set()
    for thread in threads:
        if thread.is_alive():
            thread.join(timeout=timeout)


def hand_back_buffered(pending: TaskBuffer, end: Callable[[Task, Ending], None]) -> None:
    """Hand back every buffered (claimed, not started) task: ready again at once, no attempt
    used (Task.hand_back)."""
    count = len(pending)
    while pending:
        task, _ = pending.take()
        end(task, HANDED_BACK)
    if count:
        logger.info("handed back %d claimed tasks that had not started", count)


def release_all(
    pending: TaskBuffer, pool: SlotPool, end: Callable[[Task, Ending], None], why: str
) -> None:
    """Hand back every buffered and running task, stopping the slots that run them."""
    while pending:
        task, _ = pending.take()
        logger.warning("stopping before buffered task %s ran (%s); handed back", task.id, why)
        end(task, HANDED_BACK)
    for slot in pool.slots:
        if slot.task is not None:
            task = slot.task
            began, unstarted = slot.stop_queued()
            slot.clear()
            logger.warning(
                "stopping with task %s unfinished (%s); released for rescue", task.id, why
            )
            end(task, RELEASED)
            for queued, ending in queued_endings(began, unstarted):
                end(queued, ending)
