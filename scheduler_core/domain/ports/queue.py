"""The ready-task queue that workers claim from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import timedelta

from ..queue_rates import QueueRate
from ..task import Task


class Queue(ABC):
    """Hands due tasks to workers: highest priority, then earliest run_after, then id."""

    @abstractmethod
    def enqueue(self, task: Task) -> None:
        """Make a stored waiting task claimable and wake idle claimers."""

    def enqueue_many(self, tasks: Sequence[Task]) -> None:
        """Make stored waiting tasks claimable; an adapter may wake claimers once per queue."""
        for task in tasks:
            self.enqueue(task)

    @abstractmethod
    def claim(
        self, worker_id: str, queues: Sequence[str], limit: int, lease: timedelta
    ) -> list[Task]:
        """Atomically move up to `limit` due tasks of `queues` to running for `worker_id`."""

    @abstractmethod
    def dequeue(
        self, worker_id: str, queues: Sequence[str], lease: timedelta, timeout: float
    ) -> Task:
        """Claim one task, waiting up to `timeout` seconds for one; QueueEmpty if none came."""

    @abstractmethod
    def wait_for_work(self, queues: Sequence[str], timeout: float) -> None:
        """Sleep until a task of `queues` may have become claimable, or `timeout` s passed.

        A claimer calls it after a claim came back short, then claims again. Nothing may be
        lost in between: a task made claimable after the caller's previous wait (or after
        its first call, which an adapter may use to start listening) ends the next wait at
        once. It may also return early for nothing; the claim after it finds out.
        """

    @abstractmethod
    def length(self, queue: str | None = None) -> int:
        """How many due tasks wait in `queue` (all queues when None)."""

    @abstractmethod
    def pause(self, queue: str) -> bool:
        """Stop claims from `queue` until resumed; False if it was paused already."""

    @abstractmethod
    def resume(self, queue: str) -> bool:
        """Let claims take from `queue` again; False if it was not paused."""

    @abstractmethod
    def paused(self) -> frozenset[str]:
        """The names of the paused queues."""

    @abstractmethod
    def set_limit(self, queue: str, limit: int | None) -> int | None:
        """At most `limit` tasks of `queue` run at once across all workers; None lifts it.

        Returns the limit it replaced (None when the queue had none).
        """

    @abstractmethod
    def limits(self) -> dict[str, int]:
        """The limited queues and their limits."""

    @abstractmethod
    def set_rate(self, queue: str, rate: QueueRate | None) -> QueueRate | None:
        """At most `rate` task starts of `queue` across all workers; None lifts it.

        Setting a rate fills the queue's bucket. Returns the rate it replaced (or None).
        """

    @abstractmethod
    def rates(self) -> dict[str, QueueRate]:
        """The rated queues and their rates."""
