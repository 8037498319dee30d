"""Rescue of tasks whose worker stopped renewing the lease: retry, fail or cancel them."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from ..domain import InvalidTransition, RetryPolicy, StaleTask, Task, TaskStatus
from ..domain.ports import Clock, TaskRepository

DEFAULT_RESCUE_BATCH_SIZE = 100

# Which counter of the report each outcome of Task.rescue lands in.
_OUTCOMES = {
    TaskStatus.READY: "given_back",
    TaskStatus.RETRYING: "retried",
    TaskStatus.FAILED: "failed",
    TaskStatus.CANCELLED: "cancelled",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RescueReport:
    """What one rescue pass did."""

    # Expired claims whose attempt never started, ready again without costing an attempt.
    given_back: int = 0
    # Expired tasks given another attempt after their backoff.
    retried: int = 0
    # Expired tasks that had used their last attempt.
    failed: int = 0
    # Expired tasks whose cancellation had been requested.
    cancelled: int = 0
    # Tasks another writer (their worker, another rescuer) changed first, or whose lease held.
    skipped: int = 0

    @property
    def rescued(self) -> int:
        """How many tasks this pass moved out of running."""
        return self.given_back + self.retried + self.failed + self.cancelled


class TaskRescuer:
    """Finds running tasks whose lease ran out and records the attempt as lost.

    Every write is fenced by (running, attempt), so any number of rescuers may run at once:
    each task is rescued by exactly one of them and the others count it as skipped.
    """

    def __init__(
        self,
        *,
        tasks: TaskRepository,
        clock: Clock,
        policy: RetryPolicy,
        rng: random.Random,
        batch_size: int = DEFAULT_RESCUE_BATCH_SIZE,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._tasks = tasks
        self._clock = clock
        self._policy = policy
        self._rng = rng
        self._batch_size = batch_size

    def rescue_expired(self) -> RescueReport:
        """Rescue every task whose lease has run out, a batch at a time."""
        counts: Counter[str] = Counter()
        while batch := self._tasks.find_expired_leases(self._batch_size):
            outcomes = [self._rescue(task) for task in batch]
            counts.update(outcomes)
            # Skipped tasks may still look expired to the store (a lease extended between our
            # read and write, a clock that disagrees): a batch of only those would come back
            # forever, so stop and leave them to the next pass.
            if all(outcome == "skipped" for outcome in outcomes):
                break
        return RescueReport(**counts)

    def _rescue(self, task: Task) -> str:
        attempt, holder = task.attempt, task.worker_id
        try:
            task.rescue(now=self._clock.now(), policy=self._policy, rng=self._rng)
            self._tasks.update(
                task,
                expected_status=TaskStatus.RUNNING,
                expected_attempt=attempt,
                expected_worker=holder,
            )
        except (InvalidTransition, StaleTask):
            return "skipped"
        return _OUTCOMES[task.status]
