"""Executor slots: where attempts run, one at a time per slot.

A process slot may be sent several short tasks at once (batching.py): it runs them in
order, the first being the slot's `task` and the rest `queued` behind it until it finishes.

A process slot runs tasks in a child process, which the supervisor can kill on a timeout or
a cancel and replace. A thread slot runs them in a thread of the supervisor, which Python
cannot kill: on a timeout or a cancel the thread is abandoned (its late outcome ignored)
and a fresh one takes its place.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any
from uuid import UUID

from django.db import connections

from scheduler_core.domain import Task
from scheduler_core.domain.progress import Progress

from .batching import MAX_BATCH
from .child import slot_main
from .codec import Outcome, decode_task, encode_task, encode_tasks
from .events import Event, EventSink, Exited, Finished, GivenBack, Progressed
from .frames import FrameReader
from .inbox import Inbox
from .progress_report import PROGRESS_PREFIX, decode_progress
from .slot_queue import GIVEN_BACK_PREFIX, decode_given_back
from .slot_server import process_context

logger = logging.getLogger(__name__)

_numbers = itertools.count(1)
# How long (s) a stop waits for a killed slot's process to be gone before it counts what
# the process began (only when tasks were queued in it).
STOP_WAIT = 2.0


class Slot(ABC):
    """One place to run one attempt at a time."""

    # Whether stop() really stops a running attempt (a process) or only abandons it.
    can_kill: bool = False

    def __init__(self) -> None:
        self.number = next(_numbers)
        # The attempt running now, or next to begin; the tasks sent with it wait behind it.
        self.task: Task | None = None
        self.queued: deque[Task] = deque()
        self.started_at = 0.0
        # A retired slot was killed or abandoned: whatever it still reports is ignored.
        self.retired = False
        self.tasks_run = 0
        # When (time.monotonic) the last write that granted or extended the running attempt's
        # lease was sent; see LeaseClock.
        self.lease_sent_at = 0.0
        self.lease_deadline = float("inf")
        # How many tasks were sent here; the slot counts those whose code it began.
        self.sent = 0

    @property
    @abstractmethod
    def begun(self) -> int:
        """How many of the tasks sent here the slot has begun to run (handovers.py)."""

    @property
    def busy(self) -> bool:
        """True while an attempt runs here."""
        return self.task is not None

    @property
    def accepting(self) -> bool:
        """True when the slot can take an attempt now."""
        return not self.busy and not self.retired and not self.exhausted

    @property
    def exhausted(self) -> bool:
        """True once the slot has run all the attempts it may (and is about to exit)."""
        return False

    @property
    def batch_limit(self) -> int:
        """How many tasks one hand-over may send here."""
        return 1

    @property
    def current_number(self) -> int:
        """The number among the tasks sent here of the attempt running (or next to begin)."""
        return self.sent - len(self.queued)

    def run(self, tasks: Sequence[Task], lease_sent_at: float, deadline: float) -> int:
        """Send `tasks` to this idle slot, to run in order and stop by `deadline` at the
        latest; return the first one's number among the tasks sent here (the rest follow)."""
        assert self.task is None, "a slot takes tasks only while idle"
        assert 0 < len(tasks) <= self.batch_limit, "more tasks than the slot takes at once"
        self.task = tasks[0]
        self.queued.extend(tasks[1:])
        self.started_at = time.monotonic()
        self.renew(lease_sent_at, deadline)
        first = self.sent + 1
        self.sent += len(tasks)
        self._send(tasks)
        return first

    def holds(self, task: Task) -> bool:
        """True while `task` runs here or waits behind the running one."""
        return self.task is task or any(queued is task for queued in self.queued)

    def renew(self, lease_sent_at: float, deadline: float) -> None:
        """The running attempt's lease was extended by a write sent at `lease_sent_at`."""
        # Only forward: a heartbeat sent before the claim it raced must not pull it back.
        if lease_sent_at >= self.lease_sent_at:
            self.lease_sent_at = lease_sent_at
            self.lease_deadline = deadline
            self._publish_deadline(deadline)

    @abstractmethod
    def _publish_deadline(self, deadline: float) -> None:
        """Tell whatever runs the attempt when to stop it (a process slot's watchdog)."""

    def done(self) -> Task:
        """The running attempt finished: return its task; the next queued one runs now,
        under the same lease, or the slot is free."""
        task = self.task
        assert task is not None
        self.tasks_run += 1
        if self.queued:
            self.task = self.queued.popleft()
            self.started_at = time.monotonic()
        else:
            self.clear()
        return task

    def clear(self) -> tuple[Task | None, list[Task]]:
        """Free the slot (its attempt ended, or the slot stopped): the attempt it ran and
        the tasks queued behind it, which the caller ends."""
        task, queued = self.task, list(self.queued)
        self.task = None
        self.queued.clear()
        self.lease_sent_at, self.lease_deadline = 0.0, float("inf")
        return task, queued

    def give_back_from(self, first: int) -> list[Task]:
        """The slot gave back every task sent here from number `first` on, unbegun: take
        them off the slot (the running one too, if it never began) and return them.

        The slot numbers the tasks it begins by counting them, and it will begin the next
        task sent here as the `first`-th: so are they numbered here from now on, or every
        later start would be stamped for the wrong task (and a later give-back would name
        a running one).
        """
        if first <= self.current_number:
            task, queued = self.clear()
            given = queued if task is None else [task, *queued]
        else:
            keep = first - self.current_number - 1
            given = []
            while len(self.queued) > keep:
                given.insert(0, self.queued.pop())
        self.sent = first - 1
        return given

    def stop_queued(self) -> tuple[list[Task], list[Task]]:
        """Stop the slot with tasks queued behind its attempt: those that began after all
        (the outcome before them not yet read), and those that never did.

        Counted once the process is gone: a killed slot begins nothing more.
        """
        queued = list(self.queued)
        self.stop()
        if queued:
            self._wait_stopped()
        began = max(0, min(len(queued), self.begun - self.current_number))
        return queued[:began], queued[began:]

    def _wait_stopped(self) -> None:  # noqa: B027 - a thread slot queues nothing
        """Wait (up to STOP_WAIT) for the stopped slot to begin nothing more."""

    def deadline(self) -> float | None:
        """When (time.monotonic) the running attempt times out, if it has a timeout."""
        if self.task is None or self.task.timeout is None:
            return None
        return self.started_at + self.task.timeout

    @abstractmethod
    def start(self) -> None:
        """Bring the slot up, ready for run()."""

    @abstractmethod
    def stop(self) -> None:
        """Retire the slot: kill its process, or abandon its thread."""

    def release(self) -> None:  # noqa: B027 - most slots hold nothing to let go of
        """Let go of what the stopped slot still holds (a process slot's pipe)."""

    @abstractmethod
    def _send(self, tasks: Sequence[Task]) -> None: ...

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.number}>"


class ProcessSlot(Slot):
    """A child process fed over a pipe; killed and replaced on timeout, cancel or crash.

    The supervisor's main loop reads the pipe itself (inbox.py): the slot's outcomes, and
    its exit once the process's sentinel says it ended.
    """

    can_kill = True

    def __init__(self, inbox: Inbox, max_tasks: int | None) -> None:
        super().__init__()
        # Where the main loop waits: it reads this slot's pipe when it has data.
        self.inbox = inbox
        self.max_tasks = max_tasks
        self._connection: Connection | None = None
        # Cuts the messages out of what the pipe holds (frames.py); one per pipe.
        self._frames: FrameReader | None = None
        self._process: Any = None
        self._deadline: Any = None
        self._begun: Any = None

    def start(self) -> None:
        """Fork the child from the forkserver and watch its pipe and its exit."""
        context = process_context()
        parent_end, child_end = context.Pipe(duplex=True)
        # The lease deadline the child's watchdog enforces, in memory both processes share.
        self._deadline = context.RawValue("d", float("inf"))
        # The child counts the tasks it began; one writer, and an aligned word is read whole.
        self._begun = context.RawValue("Q", 0)
        self._process = context.Process(
            target=slot_main,
            args=(child_end, self.max_tasks, self._deadline, self._begun, os.getpid()),
            name=f"scheduler-slot-{self.number}",
            daemon=True,
        )
        self._process.start()
        child_end.close()
        self._attach(parent_end)
        self.inbox.watch(parent_end.fileno(), self._read)
        self.inbox.watch(self._process.sentinel, self._ended)

    @property
    def exhausted(self) -> bool:
        """True once the child ran --max-tasks-per-child attempts and exits by itself."""
        return self.max_tasks is not None and self.tasks_run >= self.max_tasks

    @property
    def batch_limit(self) -> int:
        """Up to MAX_BATCH, and never past --max-tasks-per-child."""
        if self.max_tasks is None:
            return MAX_BATCH
        return max(1, min(MAX_BATCH, self.max_tasks - self.sent))

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return None if self._process is None else int(self._process.pid)

    def stop(self) -> None:
        """Kill the child at once; its exit is reported, and then ignored."""
        self.retired = True
        if self._process is not None and self._process.is_alive():
            self._process.kill()

    def release(self) -> None:
        """Stop watching the dead (or killed) child and close its pipe; at the worker's end."""
        if self._connection is None or self._connection.closed:
            return
        self.inbox.unwatch(self._connection.fileno())
        self.inbox.unwatch(self._process.sentinel)
        self._process.join(timeout=10)
        self._connection.close()

    def _publish_deadline(self, deadline: float) -> None:
        if self._deadline is not None:
            self._deadline.value = deadline

    @property
    def begun(self) -> int:
        """Counted by the child, in memory both processes share."""
        return 0 if self._begun is None else int(self._begun.value)

    def _wait_stopped(self) -> None:
        if self._process is not None:
            self._process.join(timeout=STOP_WAIT)

    def _send(self, tasks: Sequence[Task]) -> None:
        assert self._connection is not None
        try:
            self._connection.send_bytes(encode_tasks(tasks))
        except OSError:
            # The child died before it could take the tasks; its exit is reported.
            logger.warning("slot %s died before it received task %s", self.number, tasks[0].id)

    def _attach(self, connection: Connection) -> None:
        """Take `connection` as the pipe to the child, with the reader of its messages."""
        self._connection = connection
        self._frames = FrameReader(connection.fileno())

    def _read(self) -> list[Event]:
        """Every message one read of the pipe completes: a slot running a batch sends its
        outcomes one right after another, and one wake-up of the main loop takes them all
        (frames.py). Whatever is left on the pipe wakes the loop again at once."""
        connection, frames = self._connection, self._frames
        assert connection is not None and frames is not None
        events: list[Event] = []
        try:
            messages = frames.read()
        except ValueError:
            messages = []
            self._stop_unreadable()
        for data in messages:
            try:
                events.append(self._event_of(data))
            except (ValueError, TypeError, KeyError):
                self._stop_unreadable()
        if frames.closed:
            # The child is gone; its sentinel reports the exit. Level-triggered epoll
            # would wake the loop for ever on a closed pipe.
            self.inbox.unwatch(connection.fileno())
        return events

    def _stop_unreadable(self) -> None:
        # Called while handling the error. A message (or framing) the main loop cannot
        # read must not end the worker: the child is stopped, so its attempt ends as a
        # crash (retried by the policy).
        logger.exception("slot %s sent a message that cannot be read; stopping it", self.number)
        self._process.kill()

    def _ended(self) -> list[Event]:
        """The child exited: what it sent before it died, then its exit."""
        events: list[Event] = []
        connection, frames = self._connection, self._frames
        # The writer is dead: what it sent is waiting, up to the end of the pipe. Asked
        # before each read, which would block were another process to hold the child's end.
        while connection is not None and not connection.closed and connection.poll(0):
            events.extend(self._read())
            if frames is not None and frames.closed:
                break
        self.release()
        events.append(Exited(self, self._process.exitcode))
        return events

    def _event_of(self, data: bytes) -> Event:
        if data[:1] == PROGRESS_PREFIX:
            return Progressed(self, *decode_progress(data))
        if data[:1] == GIVEN_BACK_PREFIX:
            return GivenBack(self, decode_given_back(data))
        return Finished(self, Outcome.decode(data))


class ThreadSlot(Slot):
    """A thread of the supervisor; cannot be killed, so it is abandoned when it must stop."""

    def __init__(self, inbox: EventSink) -> None:
        super().__init__()
        # Where the slot's thread posts its outcomes for the main loop.
        self.inbox = inbox
        self._jobs: queue.Queue[bytes | None] = queue.Queue()
        # Written by the slot's thread only.
        self._began = 0

    def start(self) -> None:
        """Start the slot's thread."""
        threading.Thread(target=self._work, name=f"slot-{self.number}", daemon=True).start()

    def stop(self) -> None:
        """Abandon the thread: it exits after its current attempt, whose outcome is ignored."""
        self.retired = True
        self._jobs.put(None)

    def _publish_deadline(self, deadline: float) -> None:
        # A thread cannot be stopped from inside either; the supervisor abandons it.
        pass

    def _send(self, tasks: Sequence[Task]) -> None:
        # The same JSON a process slot gets for each task, so both pools run exactly the
        # same inputs; one at a time (batch_limit), as an abandoned thread must run no more.
        (task,) = tasks
        self._jobs.put(encode_task(task))

    @property
    def begun(self) -> int:
        """Counted by the slot's thread."""
        return self._began

    def _work(self) -> None:
        from .execution import execute

        def progress(task_id: UUID, attempt: int, report: Progress) -> None:
            self.inbox.put(Progressed(self, task_id, attempt, report))

        try:
            while (data := self._jobs.get()) is not None:
                task = decode_task(data)
                self._began += 1
                self.inbox.put(Finished(self, execute(task, progress)))
        finally:
            connections.close_all()
