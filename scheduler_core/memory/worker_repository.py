"""Workers held in memory."""

from __future__ import annotations

import copy
import threading
from datetime import timedelta

from scheduler_core.domain import Worker, WorkerInvalid, WorkerNotFound, WorkerState
from scheduler_core.domain.ports import Clock, WorkerRepository


class InMemoryWorkerRepository(WorkerRepository):
    """A thread-safe worker table; workers go in and come out as deep copies."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._workers: dict[str, Worker] = {}

    def register(self, worker: Worker) -> None:
        """Store a validated worker; WorkerInvalid if a worker that has not stopped holds its id."""
        worker.validate()
        with self._lock:
            existing = self._workers.get(worker.id)
            # A stopped worker's id may be reused, as a restarted process keeps its name.
            if existing is not None and not existing.state.has_exited:
                raise WorkerInvalid("id", f"worker {worker.id} is registered and not stopped")
            self._workers[worker.id] = copy.deepcopy(worker)

    def heartbeat(self, worker_id: str) -> Worker:
        """Stamp the worker's heartbeat with the clock; WorkerNotFound if unknown."""
        with self._lock:
            worker = self._stored(worker_id)
            worker.heartbeat(self._clock.now())
            return copy.deepcopy(worker)

    def set_state(self, worker_id: str, state: WorkerState) -> Worker:
        """Move the worker to `state`; WorkerNotFound if unknown, InvalidTransition if illegal."""
        with self._lock:
            worker = self._stored(worker_id)
            worker.move_to(state)
            return copy.deepcopy(worker)

    def has_exited(self, worker_id: str) -> bool:
        """True when a worker of this id stopped or was declared dead (it may claim no more)."""
        with self._lock:
            worker = self._workers.get(worker_id)
            return worker is not None and worker.state.has_exited

    def get(self, worker_id: str) -> Worker:
        """The worker with this id; WorkerNotFound if there is none."""
        with self._lock:
            return copy.deepcopy(self._stored(worker_id))

    def find_available(self, queue: str | None = None) -> list[Worker]:
        """Running workers with a free slot (serving `queue` when given), by id."""
        with self._lock:
            found = [
                worker
                for worker in self._workers.values()
                if worker.has_capacity() and (queue is None or queue in worker.queues)
            ]
            return copy.deepcopy(sorted(found, key=lambda worker: worker.id))

    def find_stale(self, ttl: timedelta) -> list[Worker]:
        """Workers not stopped whose last heartbeat is older than `ttl`, by id."""
        with self._lock:
            now = self._clock.now()
            found = [
                worker
                for worker in self._workers.values()
                if not worker.state.has_exited and now - worker.last_heartbeat > ttl
            ]
            return copy.deepcopy(sorted(found, key=lambda worker: worker.id))

    def list_all(self) -> list[Worker]:
        """Every known worker, newest started first (then by id)."""
        with self._lock:
            ordered = sorted(self._workers.values(), key=lambda worker: worker.id)
            ordered.sort(key=lambda worker: worker.started_at, reverse=True)
            return copy.deepcopy(ordered)

    def remove(self, worker_id: str) -> None:
        """Forget a worker; WorkerNotFound if there is none."""
        with self._lock:
            if self._workers.pop(worker_id, None) is None:
                raise WorkerNotFound(f"no worker with id {worker_id}")

    def _stored(self, worker_id: str) -> Worker:
        try:
            return self._workers[worker_id]
        except KeyError:
            raise WorkerNotFound(f"no worker with id {worker_id}") from None
