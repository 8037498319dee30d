"""The rows of the queue page: the database's numbers plus pause flags and limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from scheduler_core.bootstrap import get_services
from scheduler_core.domain.defaults import MAX_QUEUE_LENGTH, QUEUE_NAME_PATTERN
from scheduler_core.storage.queue_board import QueueNumbers, queue_board


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One queue as the page shows it."""

    numbers: QueueNumbers
    paused: bool
    limit: int | None
    oldest_due_age: timedelta | None

    @property
    def name(self) -> str:
        """The queue's name."""
        return self.numbers.name

    @property
    def actionable(self) -> bool:
        """False for a name no queue may have (a row written around the services): no forms."""
        name = self.numbers.name
        return len(name) <= MAX_QUEUE_LENGTH and QUEUE_NAME_PATTERN.fullmatch(name) is not None

    @property
    def at_limit(self) -> bool:
        """True when the limit holds claims back (as many running as allowed, or more)."""
        return self.limit is not None and self.numbers.running >= self.limit


def queue_rows() -> list[QueueRow]:
    """Every queue holding a task, paused, limited or served by a worker, by name."""
    services = get_services()
    board = queue_board(settings.SCHEDULER.get("DATABASE", "default"))
    paused = services.scheduler.paused_queues()
    limits = services.scheduler.queue_limits()
    served = {
        queue
        for worker in services.workers.list_workers()
        if not worker.state.has_exited
        for queue in worker.queues
    }
    names = board.queues.keys() | paused | limits.keys() | served
    rows = []
    for name in sorted(names):
        numbers = board.queues.get(name) or QueueNumbers(name=name)
        oldest = numbers.oldest_due_at
        age = None if oldest is None else max(timedelta(0), board.now - oldest)
        rows.append(QueueRow(numbers, name in paused, limits.get(name), age))
    return rows
