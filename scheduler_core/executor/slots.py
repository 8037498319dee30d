"""Executor slots: where attempts run, one at a time per slot.

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
from multiprocessing.connection import Connection
from typing import Any
from uuid import UUID

from django.db import connections

from scheduler_core.domain import Task
from scheduler_core.domain.progress import Progress

from .child import slot_main
from .codec import Outcome, decode_task, encode_task
from .events import Event, EventSink, Exited, Finished, Progressed
from .inbox import Inbox
from .progress_report import PROGRESS_PREFIX, decode_progress
from .slot_server import process_context

logger = logging.getLogger(__name__)

_numbers = itertools.count(1)


class Slot(ABC):
    """One place to run one attempt at a time."""

    # Whether stop() really stops a running attempt (a process) or only abandons it.
    can_kill: bool = False

    def __init__(self) -> None:
        self.number = next(_numbers)
        self.task: Task | None = None
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

    def run(self, task: Task, lease_sent_at: float, deadline: float) -> int:
        """Start an attempt of `task` in this idle slot, to stop by `deadline` at the latest;
        return its number among the tasks sent here."""
        assert self.task is None, "a slot runs one attempt at a time"
        self.task = task
        self.started_at = time.monotonic()
        self.renew(lease_sent_at, deadline)
        self.sent += 1
        self._send(task)
        return self.sent

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
        """Free the slot after its attempt finished; return the task it ran."""
        task, self.task = self.task, None
        assert task is not None
        self.tasks_run += 1
        self.lease_sent_at, self.lease_deadline = 0.0, float("inf")
        return task

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
    def _send(self, task: Task) -> None: ...

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
        self._connection = parent_end
        self.inbox.watch(parent_end.fileno(), self._read)
        self.inbox.watch(self._process.sentinel, self._ended)

    @property
    def exhausted(self) -> bool:
        """True once the child ran --max-tasks-per-child attempts and exits by itself."""
        return self.max_tasks is not None and self.tasks_run >= self.max_tasks

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

    def _send(self, task: Task) -> None:
        assert self._connection is not None
        try:
            self._connection.send_bytes(encode_task(task))
        except OSError:
            # The child died before it could take the task; its exit is reported.
            logger.warning("slot %s died before it received task %s", self.number, task.id)

    def _read(self) -> list[Event]:
        """The next message on the pipe (epoll reports the pipe again while more wait)."""
        connection = self._connection
        assert connection is not None
        try:
            data = connection.recv_bytes()
        except (EOFError, OSError):
            # The child is gone; its sentinel reports the exit. Level-triggered epoll
            # would wake the loop for ever on a closed pipe.
            self.inbox.unwatch(connection.fileno())
            return []
        try:
            return [self._event_of(data)]
        except (ValueError, TypeError, KeyError):
            # Read in the main loop now: a message it cannot read must not end the worker.
            # The child is stopped, so its attempt ends as a crash (retried by the policy).
            logger.exception("slot %s sent a message that cannot be read; stopping it", self.number)
            self._process.kill()
            return []

    def _ended(self) -> list[Event]:
        """The child exited: what it sent before it died, then its exit."""
        events: list[Event] = []
        connection = self._connection
        # The writer is dead: what it sent is waiting, up to the end of the pipe.
        while connection is not None and not connection.closed and connection.poll(0):
            more = self._read()
            if not more:
                break
            events.extend(more)
        self.release()
        events.append(Exited(self, self._process.exitcode))
        return events

    def _event_of(self, data: bytes) -> Event:
        if data[:1] == PROGRESS_PREFIX:
            return Progressed(self, *decode_progress(data))
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

    def _send(self, task: Task) -> None:
        # The same JSON a process slot gets, so both pools run exactly the same inputs.
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
