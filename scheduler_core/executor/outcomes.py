"""Writing how each held attempt ended, through the services, without ever dropping one."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TypeGuard

from django.db import DatabaseError, close_old_connections, transaction

from scheduler_core.bootstrap import Services
from scheduler_core.domain import StaleTask, Task
from scheduler_core.domain.ports.task_repository import attempts_by_worker
from scheduler_core.storage.row_locks import lock_tasks_in_id_order

from .codec import Outcome
from .endings import Cancelled, Ending, HandedBack, Released, Settled, held_until_written
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
    """Records how attempts ended, fenced by attempt; a lost lease means it is not ours.

    Each write lets go of its attempt in `held` once it is done with it: written, refused
    as stale, or given up on. From then on the heartbeat no longer extends its lease.
    """

    def __init__(self, services: Services, database: str | None, held: HeldAttempts) -> None:
        self.services = services
        # The DATABASES alias of the scheduler's tables (None for in-memory storage).
        self.database = database
        self.held = held

    def record(self, task: Task, ending: Ending) -> None:
        """Store how `task`'s attempt ended, retrying while the database is away."""
        try:
            self._write_with_retries(task, ending)
        finally:
            self.held.let_go(held_until_written([(task, ending)]))

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
        for worker_id, attempts in attempts_by_worker(tasks).items():
            self.services.workers.mark_started(worker_id, attempts)

    def record_many(self, settled: Sequence[Settled], started: Sequence[Task] = ()) -> None:
        """Store several endings in one transaction; one by one if that fails.

        The starts of `started` (attempts still running) are stamped first, in the same
        transaction: one commit, one flush of the database's log, for both.
        """
        # A single outcome takes the set-based path too: it costs fewer statements than
        # complete()'s read-copy-write, and a refused write still falls back to complete().
        if settled:
            try:
                if all(_plain_success(ending) for _, ending in settled):
                    # The common round: the storage writes it in one go (one statement on
                    # PostgreSQL), its rows locked in id order all the same.
                    self._write_successes(settled, started)
                else:
                    with self._transaction():
                        self._lock_in_id_order(settled, started)
                        self._stamp_starts(started)
                        self._write_together(settled)
            except DatabaseError:
                logger.warning("writing %d outcomes together failed; writing each", len(settled))
                close_old_connections()
            else:
                self.held.let_go(held_until_written(settled))
                return
        if started:
            self.mark_started(list(started))
        for task, ending in settled:
            self.record(task, ending)

    def _write_successes(self, settled: Sequence[Settled], started: Sequence[Task]) -> None:
        successes = [(task, ending.result) for task, ending in settled if _plain_success(ending)]
        for task in self.services.workers.complete_round(successes, started):
            self._log_stale(task, "complete")

    def _write_together(self, settled: Sequence[Settled]) -> None:
        # Successes share one clock reading and set-based writes; the rest (rarer, and
        # failures each with their own error rows) go one by one in the same transaction.
        # A success that carries its task's last progress report goes one by one as well:
        # the set-based write stores the result only.
        successes = [(task, ending.result) for task, ending in settled if _plain_success(ending)]
        for task in self.services.workers.complete_many(successes):
            self._log_stale(task, "complete")
        for task, ending in settled:
            if not _plain_success(ending):
                # A refused (stale) write changes no row, so it needs no savepoint of its own
                # to leave the other endings of the transaction intact.
                try:
                    self._store(task, ending)
                except StaleTask:
                    self._log_stale(task, _what(ending))

    def _log_stale(self, task: Task, what: str) -> None:
        logger.warning(
            "could not %s task %s: attempt %d is no longer ours (lease lost)",
            what,
            task.id,
            task.attempt,
            extra=task_fields(task),
        )

    def _store(self, task: Task, ending: Ending) -> object:
        workers = self.services.workers
        match ending:
            case Cancelled():
                return workers.confirm_cancel(task)
            case Released():
                return workers.release(task)
            case HandedBack():
                return workers.hand_back(task)
            case Outcome(progress=progress) if progress is not None:
                # The attempt's last progress report is stored with its outcome.
                task.progress = progress
        if ending.succeeded:
            return workers.complete(task, ending.result)
        if ending.snooze is not None:
            # Not a failure: the task waits, and the attempt is not used up.
            return workers.snooze(task, ending.snooze)
        return workers.fail_attempt(
            task,
            exception_type=ending.exception_type,
            message=ending.message,
            traceback=ending.traceback,
            retryable=ending.retryable,
            retry_in=ending.retry_in,
            discarded=ending.discarded,
        )

    def _lock_in_id_order(self, settled: Sequence[Settled], started: Sequence[Task]) -> None:
        # Every row the transaction will change, first and lowest id first, as the heartbeat
        # does: the two never deadlock (storage/row_locks.py).
        # One row needs no order: a round of a single ending saves the round trip.
        ids = {task.id for task, _ in settled} | {task.id for task in started}
        if self.database is not None and len(ids) > 1:
            lock_tasks_in_id_order(self.database, ids)

    def _transaction(self) -> AbstractContextManager[object]:
        if self.database is None:
            return nullcontext()
        return transaction.atomic(using=self.database)

    def _write_with_retries(self, task: Task, ending: Ending) -> None:
        what = _what(ending)
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                self._store(task, ending)
            except StaleTask:
                self._log_stale(task, what)
                return
            except DatabaseError:
                if attempt == WRITE_ATTEMPTS:
                    # record() lets go of the attempt, so its lease runs out and the rescuer
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


def _plain_success(ending: Ending) -> TypeGuard[Outcome]:
    """A success with nothing but its result to store (no progress report to keep)."""
    return isinstance(ending, Outcome) and ending.succeeded and ending.progress is None


def _what(ending: Ending) -> str:
    """The ending's name in log lines."""
    match ending:
        case Cancelled():
            return "cancel"
        case Released():
            return "release"
        case HandedBack():
            return "hand back"
    return "complete" if ending.succeeded else "fail"
