"""The supervisor's inbox: events posted by its threads, and its slots' pipes, in one wait.

The main loop used to hear from each process slot through a reader thread of its own,
which received the outcome and queued it for the main thread. Every task then cost two
thread wake-ups and two hand-overs of the GIL before the main loop saw its outcome (about
50 µs of the supervisor's CPU per task in a drain). Now the main loop waits on the slots'
pipes itself, beside an eventfd that the other threads (fetcher, heartbeat, control,
thread slots) ring when they post an event while it sleeps.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import threading
from collections import deque
from collections.abc import Callable

from .events import Event

# Reads what a watched descriptor has ready; returns the events it makes.
Reader = Callable[[], list[Event]]


class Inbox:
    """Events for the main loop; any thread may put(), only the main thread waits."""

    def __init__(self) -> None:
        self._events: deque[Event] = deque()
        self._lock = threading.Lock()
        # True while the main thread sleeps in epoll, so that a put() must ring the bell.
        self._sleeping = False
        self._bell = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self._poll = select.epoll()
        self._poll.register(self._bell, select.EPOLLIN)
        self._readers: dict[int, Reader] = {}
        self._closed = False

    # -- any thread ---------------------------------------------------------------------

    def put(self, event: Event) -> None:
        """Post an event; wakes the main loop if it sleeps."""
        with self._lock:
            self._events.append(event)
            if self._sleeping and not self._closed:
                self._sleeping = False
                # Under the lock: close() must not free the descriptor between the two.
                os.eventfd_write(self._bell, 1)

    # -- the main thread ----------------------------------------------------------------

    def watch(self, fd: int, reader: Reader) -> None:
        """Call `reader` whenever `fd` is readable (or closed) while the main loop waits."""
        self._readers[fd] = reader
        self._poll.register(fd, select.EPOLLIN)

    def unwatch(self, fd: int) -> None:
        """Stop watching `fd` (before it is closed)."""
        if self._readers.pop(fd, None) is not None:
            self._poll.unregister(fd)

    def wait(self, timeout: float) -> list[Event]:
        """Every event ready now; if none, the first to come within `timeout` seconds."""
        with self._lock:
            if self._events:
                return self._take()
            self._sleeping = True
        ready = self._poll.poll(timeout)
        with self._lock:
            self._sleeping = False
        events: list[Event] = []
        for fd, _ in ready:
            if fd == self._bell:
                # Rung at least once since the last read; the count does not matter.
                with contextlib.suppress(BlockingIOError):
                    os.eventfd_read(self._bell)
            elif (reader := self._readers.get(fd)) is not None:
                events.extend(reader())
        with self._lock:
            # The posted events after the pipes' own: an outcome read now is older than
            # anything posted while we read.
            events.extend(self._take())
        return events

    def get(self, timeout: float | None = None) -> Event:
        """One event (for tests and the stop sequence); queue.Empty when none came in time."""
        events = self.wait(-1 if timeout is None else timeout)
        if not events:
            raise queue.Empty
        self._push_back(events[1:])
        return events[0]

    def get_nowait(self) -> Event:
        """One event already posted; queue.Empty if none."""
        return self.get(timeout=0)

    def empty(self) -> bool:
        """True when no posted event waits (watched pipes are not looked at)."""
        with self._lock:
            return not self._events

    def close(self) -> None:
        """Release the epoll and the eventfd; a thread abandoned at the stop may still put()."""
        with self._lock:
            self._closed = True
            self._poll.close()
            os.close(self._bell)

    def _take(self) -> list[Event]:
        events = list(self._events)
        self._events.clear()
        return events

    def _push_back(self, events: list[Event]) -> None:
        with self._lock:
            self._events.extendleft(reversed(events))
