"""A running attempt's progress reports, on their way from the task's code to the supervisor.

The task calls `context.progress(...)` as often as it likes; the reporter passes a report
on at most every REPORT_INTERVAL and keeps the latest one meanwhile, sent by a timer. The
supervisor coalesces again (PROGRESS_INTERVAL) before writing, fenced to the running
attempt. The attempt's latest report also travels with its outcome and is written with
it, so a finished task shows where it ended, whatever the progress writer still held.
Only tasks that take a context get a reporter, and one that never reports sends nothing.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from uuid import UUID

from scheduler_core.domain.progress import Progress

# A slot passes a report on at most this often (s): a tight loop sends no pipe message per
# call, and the supervisor still sees a recent one when it writes once a second.
REPORT_INTERVAL = 0.1
# The first byte of a progress message on a slot's pipe; an outcome starts with "{".
PROGRESS_PREFIX = b"P"

# Where a slot sends a report: (task id, attempt, progress).
ProgressSink = Callable[[UUID, int, Progress], None]


class ProgressReporter:
    """Throttles one attempt's reports; thread-safe (an async task reports from its loop).

    A report held back goes out when its interval has passed, by a timer, so a task that
    reports and then works for a minute without reporting again still shows its latest
    report. close() ends it: nothing is sent after, so the outcome is the last message, and
    it returns the latest report, for the outcome to carry.
    """

    def __init__(self, task_id: UUID, attempt: int, sink: ProgressSink) -> None:
        self.task_id = task_id
        self.attempt = attempt
        self.sink = sink
        # Held while sending too, so close() returns only once no send is under way.
        self._lock = threading.Lock()
        self._sent_at = float("-inf")
        self._pending: Progress | None = None
        self._latest: Progress | None = None
        self._timer: threading.Timer | None = None
        self._closed = False

    def report(self, done: float, total: float | None = None, message: str = "") -> None:
        """Take a report; ValueError when it is malformed."""
        progress = Progress.reported(done, total, message)
        with self._lock:
            if self._closed:
                return
            self._latest = progress
            wait = self._sent_at + REPORT_INTERVAL - time.monotonic()
            if wait <= 0:
                self._send(progress)
                return
            self._pending = progress
            if self._timer is None:
                self._timer = threading.Timer(wait, self._send_held)
                self._timer.daemon = True
                self._timer.start()

    def close(self) -> Progress | None:
        """Take no more reports (the attempt ends); the latest one, sent or not, if any."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._pending = None
            return self._latest

    def _send_held(self) -> None:
        with self._lock:
            self._timer = None
            if not self._closed and self._pending is not None:
                self._send(self._pending)

    def _send(self, progress: Progress) -> None:
        # Callers hold the lock.
        self._pending = None
        self._sent_at = time.monotonic()
        self.sink(self.task_id, self.attempt, progress)


def encode_progress(task_id: UUID, attempt: int, progress: Progress) -> bytes:
    """A report as a message on a slot's pipe."""
    body = {
        "task_id": str(task_id),
        "attempt": attempt,
        "done": progress.done,
        "total": progress.total,
        "message": progress.message,
    }
    return PROGRESS_PREFIX + json.dumps(body).encode()


def decode_progress(data: bytes) -> tuple[UUID, int, Progress]:
    """The report a slot sent (after PROGRESS_PREFIX)."""
    raw = json.loads(data[len(PROGRESS_PREFIX) :])
    progress = Progress(done=raw["done"], total=raw["total"], message=raw["message"])
    return UUID(raw["task_id"]), int(raw["attempt"]), progress


def pipe_sink(send: Callable[[bytes], None]) -> ProgressSink:
    """A sink writing reports to a slot's pipe.

    One attempt runs at a time, and its reporter sends one message at a time and nothing
    once closed (before the outcome is sent), so messages never interleave on the pipe.
    """

    def sink(task_id: UUID, attempt: int, progress: Progress) -> None:
        send(encode_progress(task_id, attempt, progress))

    return sink
