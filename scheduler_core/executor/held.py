"""The attempts a worker holds: the only ones whose leases its heartbeat extends.

An attempt is held from the moment the fetcher claims it until the supervisor lets go of
it: its outcome written (or refused as stale, or given up after the recorder's retries),
the task handed back, or the attempt stopped without a write. A task the store still shows
as running under this worker but no longer held must not be kept alive by the heartbeat:
its lease runs out and the rescuer retries it.

The fetcher adds, the supervisor's main thread and the recorder remove, and the heartbeat
reads a snapshot, each on its own thread; hence the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from uuid import UUID

from scheduler_core.domain import Task

Attempt = tuple[UUID, int]


def attempt_of(task: Task) -> Attempt:
    """The (task id, attempt) pair that fences every write of this claim."""
    return (task.id, task.attempt)


class HeldAttempts:
    """A thread-safe set of the (task id, attempt) pairs this worker holds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._attempts: set[Attempt] = set()

    def __len__(self) -> int:
        with self._lock:
            return len(self._attempts)

    def __contains__(self, task: object) -> bool:
        if not isinstance(task, Task):
            return False
        with self._lock:
            return attempt_of(task) in self._attempts

    def hold(self, tasks: Iterable[Task]) -> None:
        """Hold newly claimed tasks (before the supervisor hears of them)."""
        with self._lock:
            self._attempts.update(attempt_of(task) for task in tasks)

    def let_go(self, tasks: Iterable[Task]) -> None:
        """Hold these attempts no longer; their leases are extended no more."""
        with self._lock:
            self._attempts.difference_update(attempt_of(task) for task in tasks)

    def snapshot(self) -> frozenset[Attempt]:
        """The attempts held now, for one heartbeat."""
        with self._lock:
            return frozenset(self._attempts)

    def forget_unlisted(self, asked: frozenset[Attempt], listed: Iterable[Task]) -> None:
        """Drop the attempts a heartbeat asked for that the store no longer has running here.

        The store lists an attempt only while it runs under this worker; once not listed it
        never runs here again (a new claim is a new attempt), so holding it would only keep
        it in every later heartbeat. The supervisor stops such attempts on its own.
        """
        gone = asked - {attempt_of(task) for task in listed}
        if gone:
            with self._lock:
                self._attempts -= gone
