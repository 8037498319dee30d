"""The ready-task queue over InMemoryTaskRepository's waiting-task index."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from scheduler_core.domain import QueueEmpty, Task
from scheduler_core.domain.ports import Clock, Queue
from scheduler_core.domain.queue_limits import cap_claim, check_queue_limit
from scheduler_core.domain.queue_rates import QueueRate

from .rate_buckets import InMemoryRates
from .task_repository import InMemoryTaskRepository

# A ManualClock may jump ahead without telling anyone, so a claimer waiting for a delayed task
# looks again at least this often (in real seconds).
DELAYED_TASK_POLL_SECONDS = 0.05


class InMemoryQueue(Queue):
    """Claims due tasks under the repository's lock, so no task ever goes to two claimers.

    Across several queues the order is global (priority, then run_after, then id): the order
    in which a worker names its queues does not override priority.
    """

    def __init__(
        self,
        repository: InMemoryTaskRepository,
        clock: Clock,
        claimer_exited: Callable[[str], bool] = lambda worker_id: False,
    ) -> None:
        self._repository = repository
        # A worker declared dead (or stopped) claims nothing: it comes back under a new id.
        self._claimer_exited = claimer_exited
        self._clock = clock
        self._condition = repository.condition
        self._paused: set[str] = set()
        self._limits: dict[str, int] = {}
        self._rates = InMemoryRates()
        # Every wake-up, counted: a waiter whose claim came before a wake-up it never saw
        # (it was not waiting yet) finds the count moved and does not wait.
        self._announced = 0
        self._seen = threading.local()

    def enqueue(self, task: Task) -> None:
        """Wake idle claimers; the repository's index already holds every waiting task.

        Like a database NOTIFY, this only wakes: a task claimed or cancelled between its write
        and this call is simply not found by the claimers it woke.
        """
        with self._condition:
            self._announce()

    def claim(
        self, worker_id: str, queues: Sequence[str], limit: int, lease: timedelta
    ) -> list[Task]:
        """Atomically move up to `limit` due tasks of `queues` to running for `worker_id`."""
        _check_queues(queues)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be an integer of at least 1, not {limit!r}")
        with self._condition:
            return self._claim_locked(worker_id, queues, limit, lease)

    def dequeue(
        self, worker_id: str, queues: Sequence[str], lease: timedelta, timeout: float
    ) -> Task:
        """Claim one task, waiting up to `timeout` seconds for one; QueueEmpty if none came."""
        _check_queues(queues)
        if not (math.isfinite(timeout) and timeout >= 0):
            raise ValueError(f"timeout must be a finite number of seconds >= 0, not {timeout!r}")
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                claimed = self._claim_locked(worker_id, queues, 1, lease)
                if claimed:
                    return claimed[0]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueueEmpty(f"no task fell due in {', '.join(queues)} within {timeout}s")
                self._condition.wait(self._wait_seconds(queues, remaining))

    def wait_for_work(self, queues: Sequence[str], timeout: float) -> None:
        """Sleep until a wake-up (an enqueue, a resume, a limit or rate changed), a delayed
        task falls due, or `timeout`; at once if a wake-up came since this thread's last wait."""
        _check_queues(queues)
        with self._condition:
            seen = getattr(self._seen, "count", None)
            if seen is None or seen == self._announced:
                self._condition.wait(self._wait_seconds(queues, timeout))
            self._seen.count = self._announced

    def _announce(self) -> None:
        """Wake every waiter (the caller holds the lock)."""
        self._announced += 1
        self._condition.notify_all()

    def length(self, queue: str | None = None) -> int:
        """How many due tasks wait in `queue` (all queues when None)."""
        return self._repository.count_due(queue, self._clock.now())

    def pause(self, queue: str) -> bool:
        """Stop claims from `queue` until resumed; False if it was paused already."""
        with self._condition:
            if queue in self._paused:
                return False
            self._paused.add(queue)
            return True

    def resume(self, queue: str) -> bool:
        """Let claims take from `queue` again (waking claimers); False if it was not paused."""
        with self._condition:
            if queue not in self._paused:
                return False
            self._paused.discard(queue)
            self._announce()
            return True

    def paused(self) -> frozenset[str]:
        """The names of the paused queues."""
        with self._condition:
            return frozenset(self._paused)

    def set_limit(self, queue: str, limit: int | None) -> int | None:
        """At most `limit` tasks of `queue` run at once; None lifts it. The limit replaced."""
        check_queue_limit(limit)
        with self._condition:
            previous = self._limits.pop(queue, None)
            if limit is not None:
                self._limits[queue] = limit
            # A raised or lifted limit may free slots for waiting claimers.
            self._announce()
            return previous

    def limits(self) -> dict[str, int]:
        """The limited queues and their limits."""
        with self._condition:
            return dict(self._limits)

    def set_rate(self, queue: str, rate: QueueRate | None) -> QueueRate | None:
        """At most `rate` task starts of `queue` across all workers; None lifts it."""
        with self._condition:
            previous = self._rates.set(queue, rate, self._clock.now())
            self._announce()
            return previous

    def rates(self) -> dict[str, QueueRate]:
        """The rated queues and their rates."""
        with self._condition:
            return self._rates.rates()

    def _claim_locked(
        self, worker_id: str, queues: Sequence[str], limit: int, lease: timedelta
    ) -> list[Task]:
        if self._claimer_exited(worker_id):
            return []
        queues = [queue for queue in queues if queue not in self._paused]
        limited = [queue for queue in queues if queue in self._limits]
        if limited:
            # Counted under the same lock the claim holds, so racing claimers see each other.
            running = self._repository.count_running(limited)
            queues, limit = cap_claim(queues, limit, self._limits, running)
        if not queues:
            return []
        now = self._clock.now()
        if any(queue in self._rates for queue in queues):
            claimed = self._rates.claim(self._repository, queues, limit, now)
        else:
            claimed = self._repository.take_due(queues, limit, now)
        for task in claimed:
            status, attempt = task.status, task.attempt
            task.claim(worker_id, now=now, lease=lease)
            self._repository.update(task, expected_status=status, expected_attempt=attempt)
        return claimed

    def _wait_seconds(self, queues: Sequence[str], remaining: float) -> float:
        """Wait until the deadline, or until the next delayed task falls due if that is sooner."""
        if any(queue in self._limits or queue in self._rates for queue in queues):
            # A finishing task frees a slot, and time refills a rate's bucket, without
            # notifying anyone; look again soon.
            remaining = min(remaining, DELAYED_TASK_POLL_SECONDS)
        next_due = self._repository.next_run_after(q for q in queues if q not in self._paused)
        if next_due is None:
            return remaining
        until_due = (next_due - self._clock.now()).total_seconds()
        return max(0.0, min(remaining, until_due, DELAYED_TASK_POLL_SECONDS))


def _check_queues(queues: Sequence[str]) -> None:
    # A bare string is a sequence too, and would be read as one queue per character.
    if isinstance(queues, str) or not queues:
        raise ValueError(f"queues must be a non-empty sequence of queue names, not {queues!r}")
