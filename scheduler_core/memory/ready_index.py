"""The in-memory twin of the database's partial index of waiting tasks: heaps per queue.

Each queue has a *ready* heap of due tasks in claim order (-priority, run_after, id) and a
*delayed* heap of future tasks by run_after; delayed entries move to the ready heap once due.
Heaps cannot remove an entry from the middle, so deletion is lazy: every entry carries a
token, the index remembers the current token of each waiting task, and an entry whose token
is no longer current (the task was claimed, cancelled, deleted or rescheduled) is dropped
when it surfaces. Not thread-safe on its own: the repository's lock guards it.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from scheduler_core.domain import Task

# (-priority, run_after, task id, token): the smallest is claimed first.
type ReadyEntry = tuple[int, datetime, UUID, int]
# (run_after, -priority, task id, token): the smallest falls due first.
type DelayedEntry = tuple[datetime, int, UUID, int]

# Stale entries may outnumber live ones by this much before the heaps are rebuilt, so that
# tasks cancelled or rescheduled far ahead do not pile up until their old run_after.
COMPACT_SLACK = 1024


@dataclass(frozen=True, slots=True)
class _Slot:
    """Where a waiting task sits in the index, and the token of its one live entry."""

    token: int
    queue: str
    priority: int
    run_after: datetime


class ReadyIndex:
    """Waiting tasks by queue, in claim order, with lazy deletion."""

    def __init__(self) -> None:
        self._ready: dict[str, list[ReadyEntry]] = {}
        self._delayed: dict[str, list[DelayedEntry]] = {}
        self._slots: dict[UUID, _Slot] = {}
        self._tokens = itertools.count()
        # Heap entries of every queue, live or stale; the trigger for compaction.
        self._entries = 0

    def __len__(self) -> int:
        """How many waiting tasks the index holds."""
        return len(self._slots)

    def __contains__(self, task_id: object) -> bool:
        """True when the task is indexed as waiting."""
        return task_id in self._slots

    @property
    def heap_size(self) -> int:
        """Entries in all heaps, stale ones included."""
        return self._entries

    def put(self, task: Task, now: datetime) -> bool:
        """Index a waiting task, or re-index it if it moved; False when nothing changed."""
        current = self._slots.get(task.id)
        if current is not None and (current.queue, current.priority, current.run_after) == (
            task.queue,
            task.priority,
            task.run_after,
        ):
            return False
        token = next(self._tokens)
        self._slots[task.id] = _Slot(token, task.queue, task.priority, task.run_after)
        if task.run_after <= now:
            entry = (-task.priority, task.run_after, task.id, token)
            heapq.heappush(self._ready.setdefault(task.queue, []), entry)
        else:
            delayed = (task.run_after, -task.priority, task.id, token)
            heapq.heappush(self._delayed.setdefault(task.queue, []), delayed)
        self._entries += 1
        self._compact_if_bloated()
        return True

    def discard(self, task_id: UUID) -> None:
        """Forget a task that no longer waits; its heap entries go stale."""
        if self._slots.pop(task_id, None) is not None:
            self._compact_if_bloated()

    def pop_due(self, queues: Iterable[str], limit: int, now: datetime) -> list[UUID]:
        """Remove and return up to `limit` due tasks of `queues`, in claim order."""
        names = list(dict.fromkeys(queues))
        for name in names:
            self._promote(name, now)
        heaps = [self._ready[name] for name in names if name in self._ready]
        taken: list[UUID] = []
        while len(taken) < limit:
            best: list[ReadyEntry] | None = None
            for heap in heaps:
                self._settle_top(heap, now)
                if heap and (best is None or heap[0] < best[0]):
                    best = heap
            if best is None:
                break
            task_id = heapq.heappop(best)[2]
            self._entries -= 1
            del self._slots[task_id]
            taken.append(task_id)
        return taken

    def count_due(self, queue: str | None, now: datetime) -> int:
        """How many indexed tasks of `queue` (every queue when None) are due at `now`."""
        return sum(
            1
            for slot in self._slots.values()
            if (queue is None or slot.queue == queue) and slot.run_after <= now
        )

    def next_run_after(self, queues: Iterable[str]) -> datetime | None:
        """The earliest run_after among the delayed tasks of `queues`, if any."""
        earliest: datetime | None = None
        for name in dict.fromkeys(queues):
            heap = self._delayed.get(name)
            while heap and not self._is_live(heap[0][2], heap[0][3]):
                heapq.heappop(heap)
                self._entries -= 1
            if heap and (earliest is None or heap[0][0] < earliest):
                earliest = heap[0][0]
        return earliest

    def _is_live(self, task_id: UUID, token: int) -> bool:
        slot = self._slots.get(task_id)
        return slot is not None and slot.token == token

    def _promote(self, queue: str, now: datetime) -> None:
        delayed = self._delayed.get(queue)
        while delayed and delayed[0][0] <= now:
            run_after, negative_priority, task_id, token = heapq.heappop(delayed)
            if self._is_live(task_id, token):
                entry = (negative_priority, run_after, task_id, token)
                heapq.heappush(self._ready.setdefault(queue, []), entry)
            else:
                self._entries -= 1

    def _settle_top(self, heap: list[ReadyEntry], now: datetime) -> None:
        """Drop stale entries off the top and send not-yet-due ones back to the delayed heap."""
        while heap:
            negative_priority, run_after, task_id, token = heap[0]
            slot = self._slots.get(task_id)
            if slot is None or slot.token != token:
                heapq.heappop(heap)
                self._entries -= 1
            elif run_after > now:
                # Only when the clock went backwards (ManualClock.set) since the task was put.
                heapq.heappop(heap)
                entry = (run_after, negative_priority, task_id, token)
                heapq.heappush(self._delayed.setdefault(slot.queue, []), entry)
            else:
                return

    def _compact_if_bloated(self) -> None:
        if self._entries <= 2 * len(self._slots) + COMPACT_SLACK:
            return
        self._ready = _live_heaps(self._ready, self._is_live)
        self._delayed = _live_heaps(self._delayed, self._is_live)
        self._entries = sum(map(len, self._ready.values())) + sum(map(len, self._delayed.values()))


def _live_heaps[E: tuple[object, object, UUID, int]](
    heaps: dict[str, list[E]], is_live: Callable[[UUID, int], bool]
) -> dict[str, list[E]]:
    rebuilt: dict[str, list[E]] = {}
    for queue, heap in heaps.items():
        live = [entry for entry in heap if is_live(entry[2], entry[3])]
        if live:
            heapq.heapify(live)
            rebuilt[queue] = live
    return rebuilt
