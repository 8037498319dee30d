"""The supervisor's local buffer: claimed tasks waiting for a free slot, oldest claim first."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterable
from uuid import UUID

from scheduler_core.domain import Task


class TaskBuffer:
    """Claimed tasks not yet started, each with when its claim arrived and its lease was sent.

    The arrival tells a heartbeat that could not have listed a task from one that found it
    lost; the send time of the last write that granted or extended its lease tells how long
    the worker can prove the lease (LeaseClock).
    """

    def __init__(self) -> None:
        self._tasks: deque[Task] = deque()
        self._arrived: dict[UUID, float] = {}
        self._lease_sent: dict[UUID, float] = {}
        # No buffered task's lease was sent before this: lease send times only grow (renew
        # keeps the later one) and tasks only leave, so the floor holds until tasks are
        # added. The main loop asks drop_sent_before on every turn; below the floor it
        # answers without reading every buffered task.
        self._sent_floor = math.inf

    def __len__(self) -> int:
        return len(self._tasks)

    def add(self, tasks: Iterable[Task], lease_sent_at: float | None = None) -> None:
        """Keep newly claimed tasks, whose claim was sent at `lease_sent_at` (default: now)."""
        now = time.monotonic()
        sent = now if lease_sent_at is None else lease_sent_at
        for task in tasks:
            self._tasks.append(task)
            self._arrived[task.id] = now
            self._lease_sent[task.id] = sent
            self._sent_floor = min(self._sent_floor, sent)

    def take(self) -> tuple[Task, float]:
        """The oldest buffered task, removed, with its lease's send time; IndexError if empty."""
        task = self._tasks.popleft()
        del self._arrived[task.id]
        return task, self._lease_sent.pop(task.id)

    def take_arrived_before(self, cutoff: float) -> list[Task]:
        """Remove and return the tasks whose claim arrived before `cutoff` (monotonic)."""
        taken: list[Task] = []
        while self._tasks and self._arrived[self._tasks[0].id] < cutoff:
            task = self._tasks.popleft()
            del self._arrived[task.id]
            del self._lease_sent[task.id]
            taken.append(task)
        return taken

    def renew(self, sent_at: float, ids: Iterable[UUID]) -> None:
        """A heartbeat sent at `sent_at` extended the leases of these tasks."""
        for task_id in ids:
            if task_id in self._lease_sent:
                self._lease_sent[task_id] = max(self._lease_sent[task_id], sent_at)

    def drop_sent_before(self, cutoff: float) -> list[Task]:
        """Remove and return the tasks whose lease was last sent before `cutoff`."""
        if cutoff <= self._sent_floor:
            return []
        lapsed = [task for task in self._tasks if self._lease_sent[task.id] < cutoff]
        if lapsed:
            gone = {task.id for task in lapsed}
            self._tasks = deque(task for task in self._tasks if task.id not in gone)
            for task_id in gone:
                del self._arrived[task_id]
                del self._lease_sent[task_id]
        self._sent_floor = min(self._lease_sent.values(), default=math.inf)
        return lapsed

    def settle(
        self, asked_at: float, held: dict[tuple[UUID, int], Task]
    ) -> tuple[list[Task], list[Task]]:
        """Remove the tasks a heartbeat shows lost or asked to cancel; (lost, cancelled).

        `held` is what the store listed as ours at `asked_at`; a task whose claim arrived
        after that moment is missing from it without being lost, so it stays.
        """
        lost: list[Task] = []
        cancelled: list[Task] = []
        kept: deque[Task] = deque()
        for task in self._tasks:
            stored = held.get((task.id, task.attempt))
            if self._arrived[task.id] > asked_at or (
                stored is not None and not stored.cancel_requested
            ):
                kept.append(task)
                continue
            del self._arrived[task.id]
            del self._lease_sent[task.id]
            (lost if stored is None else cancelled).append(task)
        self._tasks = kept
        return lost, cancelled
