"""The supervisor's local buffer: claimed tasks waiting for a free slot, oldest claim first."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from uuid import UUID

from scheduler_core.domain import Task


class TaskBuffer:
    """Claimed tasks not yet started, each with the moment its claim reached the supervisor."""

    def __init__(self) -> None:
        self._tasks: deque[Task] = deque()
        self._arrived: dict[UUID, float] = {}

    def __len__(self) -> int:
        return len(self._tasks)

    def add(self, tasks: Iterable[Task]) -> None:
        """Keep newly claimed tasks until a slot takes them."""
        now = time.monotonic()
        for task in tasks:
            self._tasks.append(task)
            self._arrived[task.id] = now

    def take(self) -> Task:
        """The oldest buffered task, removed; IndexError when empty."""
        task = self._tasks.popleft()
        del self._arrived[task.id]
        return task

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
            (lost if stored is None else cancelled).append(task)
        self._tasks = kept
        return lost, cancelled
