"""The rows of the queue page: the database's numbers plus pause flags, limits and rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from scheduler_core.bootstrap import get_queries, get_services
from scheduler_core.domain.queue_names import is_queue_name
from scheduler_core.domain.queue_rates import QueueRate
from scheduler_core.queries import QueueNumbers, queue_board


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One queue as the page shows it."""

    numbers: QueueNumbers
    paused: bool
    limit: int | None
    oldest_due_age: timedelta | None
    rate: QueueRate | None = None

    @property
    def name(self) -> str:
        """The queue's name."""
        return self.numbers.name

    @property
    def actionable(self) -> bool:
        """False for a name no queue may have (a row written around the services): no forms."""
        return is_queue_name(self.numbers.name)

    @property
    def at_limit(self) -> bool:
        """True when the limit holds claims back (as many running as allowed, or more)."""
        return self.limit is not None and self.numbers.running >= self.limit


def queue_rows() -> list[QueueRow]:
    """Every queue holding a task, paused, limited, rated or served by a worker, by name."""
    services = get_services()
    queries = get_queries()
    board = queue_board(queries.database, queries.clock.now())
    paused = services.tasks.paused_queues()
    limits = services.tasks.queue_limits()
    rates = services.tasks.queue_rates()
    served = {
        queue
        for worker in services.workers.list_workers()
        if not worker.state.has_exited
        for queue in worker.queues
    }
    names = board.queues.keys() | paused | limits.keys() | rates.keys() | served
    rows = []
    for name in sorted(names):
        numbers = board.queues.get(name) or QueueNumbers(name=name)
        oldest = numbers.oldest_due_at
        age = None if oldest is None else max(timedelta(0), board.now - oldest)
        rows.append(QueueRow(numbers, name in paused, limits.get(name), age, rates.get(name)))
    return rows
