"""Storage of workers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import timedelta

from ..status import WorkerState
from ..worker import Worker, WorkerLoad


class WorkerRepository(ABC):
    """Keeps the workers and their heartbeats."""

    @abstractmethod
    def register(self, worker: Worker) -> None:
        """Store a validated worker; WorkerInvalid if a worker that has not stopped holds its id."""

    @abstractmethod
    def heartbeat(self, worker_id: str, load: WorkerLoad | None = None) -> Worker:
        """Stamp the worker's heartbeat with the storage's clock, and keep the load it
        reports when given; WorkerNotFound if unknown."""

    @abstractmethod
    def set_state(self, worker_id: str, state: WorkerState) -> Worker:
        """Move the worker to `state`; WorkerNotFound if unknown, InvalidTransition if illegal."""

    @abstractmethod
    def get(self, worker_id: str) -> Worker:
        """The worker with this id; WorkerNotFound if there is none."""

    @abstractmethod
    def find_available(self, queue: str | None = None) -> list[Worker]:
        """Running workers with a free slot (serving `queue` when given)."""

    @abstractmethod
    def find_stale(self, ttl: timedelta) -> list[Worker]:
        """Workers not stopped whose last heartbeat is older than `ttl`."""

    @abstractmethod
    def list_all(self) -> list[Worker]:
        """Every known worker, newest first."""
