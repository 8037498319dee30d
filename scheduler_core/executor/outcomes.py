"""Writing what became of each attempt, through the services, without ever dropping one."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from uuid import UUID

from django.db import DatabaseError, close_old_connections, transaction

from scheduler_core.bootstrap import Services
from scheduler_core.domain import StaleTask, Task

from .codec import Outcome
from .held import HeldAttempts
from .log_fields import task_fields

logger = logging.getLogger(__name__)

# A database restart takes seconds; keep trying well past that before giving the task up
# to the rescuer (whose lease expiry brings it back anyway).
WRITE_ATTEMPTS = 10
WRITE_PAUSE = 0.5
# Starts are stamped at once or not at all: a late stamp is worth less than a free writer.
START_WRITE_ATTEMPTS = 2


class OutcomeRecorder:
    """Records outcomes fenced by attempt; a lost lease means the outcome is not ours.

    Each write lets go of its attempt in `held` once it is done with it: written, refused
    as stale, or given up on. From then on the heartbeat no longer extends its lease.
    """

    def __init__(self, services: Services, database: str | None, held: HeldAttempts) -> None:
        self.services = services
        # The DATABASES alias of the scheduler's tables (None for in-memory storage).
        self.database = database
        self.held = held

    def record(self, task: Task, outcome: Outcome) -> None:
        """Store the outcome a slot reported for `task`."""
        if outcome.succeeded:
            self._write(
                task, "complete", lambda: self.services.workers.complete(task, outcome.result)
            )
        else:
            self.fail(
                task,
                outcome.exception_type,
                outcome.message,
                traceback=outcome.traceback,
                retryable=outcome.retryable,
            )

    def mark_started(self, tasks: list[Task]) -> None:
        """Stamp that these attempts' code began: from now on losing one costs an attempt.

        Unwritten, a start is only missing: if the worker then loses the attempt, the rescue
        gives the claim back rather than count it. The attempt itself was stopped before its
        lease ended (the slot's watchdog), so that costs a rerun, never an overlap.
        """
        for attempt in range(1, START_WRITE_ATTEMPTS + 1):
            try:
                self._stamp_starts(tasks)
            except DatabaseError:
                logger.warning("stamping %d starts failed (try %d)", len(tasks), attempt)
                close_old_connections()
            else:
                return

    def _stamp_starts(self, tasks: Sequence[Task]) -> None:
        by_worker: dict[str, list[tuple[UUID, int]]] = {}
        for task in tasks:
            if task.worker_id is not None:
                by_worker.setdefault(task.worker_id, []).append((task.id, task.attempt))
        for worker_id, attempts in by_worker.items():
            self.services.workers.mark_started(worker_id, attempts)

    def record_many(
        self, finished: list[tuple[Task, Outcome]], started: Sequence[Task] = ()
    ) -> None:
        """Store several outcomes in one transaction; one by one if that fails.

        The starts of `started` (attempts still running) are stamped first, in the same
        transaction: one commit, one flush of the database's log, for both.
        """
        # A single outcome takes the set-based path too: it costs fewer statements than
        # complete()'s read-copy-write, and a refused write still falls back to complete().
        if finished:
            try:
                with self._transaction():
                    self._stamp_starts(started)
                    self._write_together(finished)
            except DatabaseError:
                logger.warning("writing %d outcomes together failed; writing each", len(finished))
                close_old_connections()
            else:
                self.held.let_go(task for task, _ in finished)
                return
        if started:
            self.mark_started(list(started))
        for task, outcome in finished:
            self.record(task, outcome)

    def _write_together(self, finished: list[tuple[Task, Outcome]]) -> None:
        # Successes share one clock reading and set-based writes; failures (rarer, and
        # each with its own error rows) go one by one in the same transaction.
        successes = [(task, outcome.result) for task, outcome in finished if outcome.succeeded]
        for task in self.services.workers.complete_many(successes):
            self._log_stale(task, "record")
        for task, outcome in finished:
            if not outcome.succeeded:
                self._write_once(task, outcome)

    def _log_stale(self, task: Task, what: str) -> None:
        logger.warning(
            "could not %s task %s: attempt %d is no longer ours (lease lost)",
            what,
            task.id,
            task.attempt,
            extra=task_fields(task),
        )

    def _write_once(self, task: Task, outcome: Outcome) -> None:
        # A refused (stale) write changes no row, so it needs no savepoint of its own to
        # leave the other outcomes of the transaction intact.
        try:
            if outcome.succeeded:
                self.services.workers.complete(task, outcome.result)
            else:
                self._fail(
                    task,
                    outcome.exception_type,
                    outcome.message,
                    outcome.traceback,
                    outcome.retryable,
                )
        except StaleTask:
            self._log_stale(task, "record")

    def _fail(
        self, task: Task, exception_type: str, message: str, traceback: str, retryable: bool
    ) -> object:
        # The service stamps the error with the same clock reading as the transition.
        return self.services.workers.fail_attempt(
            task,
            exception_type=exception_type,
            message=message,
            traceback=traceback,
            retryable=retryable,
        )

    def _transaction(self) -> AbstractContextManager[object]:
        if self.database is None:
            return nullcontext()
        return transaction.atomic(using=self.database)

    def fail(
        self,
        task: Task,
        exception_type: str,
        message: str,
        *,
        traceback: str = "",
        retryable: bool = True,
    ) -> None:
        """Store a failed attempt: retried after its backoff while attempts remain."""
        self._write(
            task, "fail", lambda: self._fail(task, exception_type, message, traceback, retryable)
        )

    def confirm_cancel(self, task: Task) -> None:
        """Store that the attempt was stopped because cancellation was requested."""
        self._write(task, "cancel", lambda: self.services.workers.confirm_cancel(task))

    def release(self, task: Task) -> None:
        """Hand an unfinished task back: its lease expires now and the rescuer retries it."""
        self._write(task, "release", lambda: self.services.workers.release(task))

    def _write(self, task: Task, what: str, write: Callable[[], object]) -> None:
        try:
            self._write_with_retries(task, what, write)
        finally:
            self.held.let_go([task])

    def _write_with_retries(self, task: Task, what: str, write: Callable[[], object]) -> None:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                write()
            except StaleTask:
                self._log_stale(task, what)
                return
            except DatabaseError:
                if attempt == WRITE_ATTEMPTS:
                    # _write lets go of the attempt, so its lease runs out and the rescuer
                    # applies the retry policy.
                    logger.exception(
                        "giving up writing %s of task %s", what, task.id, extra=task_fields(task)
                    )
                    return
                logger.warning(
                    "writing %s of task %s failed; retrying", what, task.id, extra=task_fields(task)
                )
                close_old_connections()
                time.sleep(WRITE_PAUSE * attempt)
            else:
                return
