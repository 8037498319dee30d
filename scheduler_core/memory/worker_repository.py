"""Workers held in memory."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Collection
from datetime import timedelta
from uuid import UUID

from scheduler_core.domain import Worker, WorkerInvalid, WorkerLoad, WorkerNotFound, WorkerState
from scheduler_core.domain.ports import Clock, WorkerRepository

# worker ids -> the ids of the running tasks each holds (the task store's answer).
Holdings = Callable[[Collection[str]], dict[str, set[UUID]]]


def _holds_nothing(worker_ids: Collection[str]) -> dict[str, set[UUID]]:
    return {}


class InMemoryWorkerRepository(WorkerRepository):
    """A thread-safe worker table; workers go in and come out as deep copies.

    A worker's `active_task_ids` come from `holdings`, the tasks it holds in the task
    store (storage.py wires it), read after this table's lock is let go: the task store's
    lock is never taken inside this one.
    """

    def __init__(self, clock: Clock, holdings: Holdings = _holds_nothing) -> None:
        self._clock = clock
        self._holdings = holdings
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
            stored = copy.deepcopy(worker)
            stored.active_task_ids = set()
            self._workers[worker.id] = stored

    def heartbeat(self, worker_id: str, load: WorkerLoad | None = None) -> Worker:
        """Stamp the worker's heartbeat with the clock (and its load); WorkerNotFound if unknown."""
        with self._lock:
            worker = self._stored(worker_id)
            worker.heartbeat(self._clock.now(), load)
            found = copy.deepcopy(worker)
        return self._held([found])[0]

    def set_state(self, worker_id: str, state: WorkerState) -> Worker:
        """Move the worker to `state`; WorkerNotFound if unknown, InvalidTransition if illegal."""
        with self._lock:
            worker = self._stored(worker_id)
            worker.move_to(state)
            found = copy.deepcopy(worker)
        return self._held([found])[0]

    def has_exited(self, worker_id: str) -> bool:
        """True when a worker of this id stopped or was declared dead (it may claim no more)."""
        with self._lock:
            worker = self._workers.get(worker_id)
            return worker is not None and worker.state.has_exited

    def get(self, worker_id: str) -> Worker:
        """The worker with this id; WorkerNotFound if there is none."""
        with self._lock:
            found = copy.deepcopy(self._stored(worker_id))
        return self._held([found])[0]

    def find_available(self, queue: str | None = None) -> list[Worker]:
        """Running workers with a free slot (serving `queue` when given), by id."""
        with self._lock:
            serving = copy.deepcopy(
                [w for w in self._workers.values() if queue is None or queue in w.queues]
            )
        found = [worker for worker in self._held(serving) if worker.has_capacity()]
        return sorted(found, key=lambda worker: worker.id)

    def find_stale(self, ttl: timedelta) -> list[Worker]:
        """Workers not stopped whose last heartbeat is older than `ttl`, by id."""
        with self._lock:
            now = self._clock.now()
            found = [
                worker
                for worker in self._workers.values()
                if not worker.state.has_exited and now - worker.last_heartbeat > ttl
            ]
            stale = copy.deepcopy(sorted(found, key=lambda worker: worker.id))
        return self._held(stale)

    def list_all(self) -> list[Worker]:
        """Every known worker, newest started first (then by id)."""
        with self._lock:
            ordered = sorted(self._workers.values(), key=lambda worker: worker.id)
            ordered.sort(key=lambda worker: worker.started_at, reverse=True)
            every = copy.deepcopy(ordered)
        return self._held(every)

    def _stored(self, worker_id: str) -> Worker:
        try:
            return self._workers[worker_id]
        except KeyError:
            raise WorkerNotFound(f"no worker with id {worker_id}") from None

    def _held(self, workers: list[Worker]) -> list[Worker]:
        # Called on copies, with this table's lock let go.
        held = self._holdings([worker.id for worker in workers])
        for worker in workers:
            worker.active_task_ids = set(held.get(worker.id, ()))
        return workers
