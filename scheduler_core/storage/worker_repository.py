"""Workers kept in the database through the Django ORM."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction

from scheduler_core.domain import Worker, WorkerInvalid, WorkerLoad, WorkerNotFound, WorkerState
from scheduler_core.domain.ports import WorkerRepository
from scheduler_core.domain.status import EXITED_WORKER_STATES
from scheduler_core.models import WorkerRecord

from .db_clock import DatabaseClock
from .mapping import load_values, worker_from_record, worker_values
from .sqlite_locks import retry_when_locked
from .worker_load import holdings

# Workers that will never claim again: exited cleanly or declared dead.
EXITED = [state.value for state in EXITED_WORKER_STATES]


class DjangoWorkerRepository(WorkerRepository):
    """Workers in the `scheduler_worker` table, heartbeats stamped by the database clock."""

    def __init__(self, using: str = "default", clock: DatabaseClock | None = None) -> None:
        self.using = using
        self.clock = clock or DatabaseClock(using)

    def register(self, worker: Worker) -> None:
        """Store a validated worker; WorkerInvalid if a worker that has not stopped holds its id."""
        worker.validate()

        def write() -> None:
            with transaction.atomic(using=self.using):
                existing = (
                    WorkerRecord.objects.using(self.using)
                    .select_for_update()
                    .filter(id=worker.id)
                    .first()
                )
                if existing is not None and existing.state not in EXITED:
                    raise WorkerInvalid("id", f"worker {worker.id} is registered and not stopped")
                WorkerRecord.objects.using(self.using).update_or_create(
                    id=worker.id, defaults=worker_values(worker)
                )

        retry_when_locked(write)

    def heartbeat(self, worker_id: str, load: WorkerLoad | None = None) -> Worker:
        """Stamp the worker's heartbeat with the database clock, and its load when reported;
        WorkerNotFound if unknown."""
        worker = self.get(worker_id)
        worker.heartbeat(self.clock.now(), load)
        values: dict[str, object] = {"last_heartbeat": worker.last_heartbeat}
        if load is not None:
            values |= load_values(load)
        changed = retry_when_locked(
            lambda: (
                WorkerRecord.objects.using(self.using)
                .filter(id=worker_id)
                .exclude(state__in=EXITED)
                .update(**values)
            )
        )
        if not changed:
            # Declared dead (or removed) between the read and the write: it may not come back,
            # so say so (InvalidTransition or WorkerNotFound) rather than report a beat.
            self.get(worker_id).heartbeat(worker.last_heartbeat)
        return worker

    def set_state(self, worker_id: str, state: WorkerState) -> Worker:
        """Move the worker to `state`; WorkerNotFound if unknown, InvalidTransition if illegal."""
        worker = self.get(worker_id)
        previous = worker.state
        worker.move_to(state)
        retry_when_locked(
            lambda: (
                WorkerRecord.objects.using(self.using)
                .filter(id=worker_id, state=previous.value)
                .update(state=state.value)
            )
        )
        return self.get(worker_id)

    def get(self, worker_id: str) -> Worker:
        """The worker with this id; WorkerNotFound if there is none."""
        if "\x00" in worker_id:
            # No stored id holds a NUL, and PostgreSQL would refuse the query with one.
            raise WorkerNotFound(f"no worker with id {worker_id!r}")
        try:
            record = WorkerRecord.objects.using(self.using).get(id=worker_id)
        except WorkerRecord.DoesNotExist:
            raise WorkerNotFound(f"no worker with id {worker_id}") from None
        [worker] = self._with_holdings([record])
        return worker

    def find_available(self, queue: str | None = None) -> list[Worker]:
        """Running workers with a free slot (serving `queue` when given)."""
        rows = WorkerRecord.objects.using(self.using).filter(state=WorkerState.RUNNING.value)
        workers = self._with_holdings(rows.order_by("id"))
        return [
            worker
            for worker in workers
            if worker.has_capacity() and (queue is None or queue in worker.queues)
        ]

    def find_stale(self, ttl: timedelta) -> list[Worker]:
        """Workers not stopped whose last heartbeat is older than `ttl`."""
        rows = (
            WorkerRecord.objects.using(self.using)
            .exclude(state__in=EXITED)
            .filter(last_heartbeat__lt=self.clock.now() - ttl)
        )
        return self._with_holdings(rows)

    def list_all(self) -> list[Worker]:
        """Every known worker, newest first."""
        rows = WorkerRecord.objects.using(self.using).order_by("-started_at", "id")
        return self._with_holdings(rows)

    def _with_holdings(self, records: Iterable[WorkerRecord]) -> list[Worker]:
        rows = list(records)
        held = holdings(self.using, [record.id for record in rows])
        return [worker_from_record(record, held.get(record.id, ())) for record in rows]
