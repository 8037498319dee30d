"""Worker commands in the database, and the wake-up that brings them within a second.

PostgreSQL: asking NOTIFYs the channel below in the asking transaction, and a trigger
(migration 0017) NOTIFYs it when a running task's cancel is requested, from any door (the
dashboard, the API, the admin); each worker LISTENs, so it acts at once. SQLite has no
notifications: the worker polls (ControlThread's interval, under a second).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.db import connections, transaction

if TYPE_CHECKING:
    # Imported where used: a worker on SQLite never loads psycopg (most of 0.1 s of its start).
    import psycopg

from scheduler_core.domain.ports import HeldAttempt, WorkerControl
from scheduler_core.domain.worker_commands import CommandState, WorkerCommand
from scheduler_core.models import TaskRecord, WorkerCommandRecord

from .db_clock import DatabaseClock
from .notifications import listening

logger = logging.getLogger(__name__)

CONTROL_CHANNEL = "scheduler_control"


class DjangoWorkerControl(WorkerControl):
    """Commands in scheduler_worker_command; cancels read from the held tasks' rows."""

    def __init__(self, using: str = "default", clock: DatabaseClock | None = None) -> None:
        self.using = using
        self.clock = clock or DatabaseClock(using)
        self._listener: psycopg.Connection[Any] | None = None

    def ask(self, worker_id: str, command: WorkerCommand, *, actor: str) -> None:
        """Store the command and, on PostgreSQL, wake the worker on commit."""
        with transaction.atomic(using=self.using):
            WorkerCommandRecord.objects.using(self.using).update_or_create(
                worker_id=worker_id,
                defaults={
                    "command": command.value,
                    "asked_by": actor,
                    "asked_at": self.clock.now(),
                    "obeyed_at": None,
                },
            )
            if connections[self.using].vendor == "postgresql":
                with connections[self.using].cursor() as cursor:
                    cursor.execute("SELECT pg_notify(%s, %s)", [CONTROL_CHANNEL, worker_id])

    def command_of(self, worker_id: str) -> CommandState | None:
        """The command left for the worker, if any."""
        row = WorkerCommandRecord.objects.using(self.using).filter(worker_id=worker_id).first()
        if row is None:
            return None
        return CommandState(
            command=WorkerCommand(row.command),
            asked_by=row.asked_by,
            asked_at=row.asked_at,
            obeyed_at=row.obeyed_at,
        )

    def obeyed(self, worker_id: str, command: WorkerCommand) -> None:
        """Stamp the first moment the worker acted on the command."""
        WorkerCommandRecord.objects.using(self.using).filter(
            worker_id=worker_id, command=command.value, obeyed_at__isnull=True
        ).update(obeyed_at=self.clock.now())

    def cancels_among(self, held: Collection[HeldAttempt]) -> set[HeldAttempt]:
        """Held attempts still running whose cancel was requested: one lookup by key."""
        if not held:
            return set()
        wanted = set(held)
        rows = TaskRecord.objects.using(self.using).filter(
            pk__in=[task_id for task_id, _ in wanted], status="running", cancel_requested=True
        )
        return {pair for pair in rows.values_list("id", "attempt") if pair in wanted}

    def wait(self, seconds: float) -> bool:
        """PostgreSQL: LISTEN until a notification or `seconds`; SQLite: sleep."""
        if connections[self.using].vendor != "postgresql":
            time.sleep(seconds)
            return False
        import psycopg

        try:
            listener = self._listen()
            for _ in listener.notifies(timeout=seconds, stop_after=1):
                return True
            return False
        except psycopg.Error:
            # A dropped connection only slows the worker to its poll; reconnect next time.
            logger.warning("control listener lost its connection", exc_info=True)
            self.close()
            return False

    def close(self) -> None:
        """Close the listening connection."""
        if self._listener is not None:
            try:
                self._listener.close()
            finally:
                self._listener = None

    def _listen(self) -> psycopg.Connection[Any]:
        if self._listener is None or self._listener.closed:
            self._listener = listening(self.using, CONTROL_CHANNEL)
        return self._listener
