"""The ready-task queue over the task table: atomic batch claims and wake-ups."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import timedelta

from django.db import connections, transaction

from scheduler_core.domain import QueueEmpty, Task
from scheduler_core.domain.ports import Queue
from scheduler_core.domain.queue_limits import check_queue_limit
from scheduler_core.domain.queue_rates import QueueRate, full_bucket
from scheduler_core.models import (
    QueueLimit,
    QueuePause,
    QueueRateBucket,
    QueueRateRecord,
    TaskRecord,
)
from scheduler_core.models.choices import waiting

from .claim import claim_ready_tasks
from .claim_limits import forget_limited_queues
from .claim_rates import forget_rated_queues
from .db_clock import DatabaseClock
from .mapping import error_from_record
from .notifications import NOTIFY_CHANNEL, TaskNotificationListener
from .task_repository import DjangoTaskRepository

# How long an idle claimer waits between polls. SQLite has nothing to wake it from another
# process, so it polls often; PostgreSQL's NOTIFY wakes it, and the poll only catches delayed
# tasks falling due.
SQLITE_POLL_INTERVAL = 0.05
POSTGRES_POLL_INTERVAL = 0.5


class DjangoQueue(Queue):
    """Claims due rows straight from the task table; PostgreSQL wakes claimers by NOTIFY."""

    def __init__(
        self,
        repository: DjangoTaskRepository,
        *,
        poll_interval: float | None = None,
    ) -> None:
        self.repository = repository
        self.using = repository.using
        if poll_interval is None:
            is_postgres = connections[self.using].vendor == "postgresql"
            poll_interval = POSTGRES_POLL_INTERVAL if is_postgres else SQLITE_POLL_INTERVAL
        self.poll_interval = poll_interval
        # Wakes claimers in this process once an enqueue here commits.
        self._local_wakeup = threading.Event()
        self._listener: TaskNotificationListener | None = None
        self._listener_lock = threading.Lock()

    def enqueue(self, task: Task) -> None:
        """Wake claimers once the caller's transaction commits; a rollback wakes nobody."""
        self._wake(task.queue)

    def enqueue_many(self, tasks: Sequence[Task]) -> None:
        """One wake-up per queue, not per task: a batch of 1000 sends a single NOTIFY."""
        for queue in sorted({task.queue for task in tasks}):
            self._wake(queue)

    def _wake(self, queue: str) -> None:
        connection = connections[self.using]
        if connection.vendor == "postgresql":
            # NOTIFY is transactional: PostgreSQL delivers it on commit and drops it on rollback.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, queue])
        transaction.on_commit(self._local_wakeup.set, using=self.using)

    def claim(
        self, worker_id: str, queues: Sequence[str], limit: int, lease: timedelta
    ) -> list[Task]:
        """Atomically move up to `limit` due tasks of `queues` to running for `worker_id`."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if not queues:
            raise ValueError("name at least one queue")
        tasks = claim_ready_tasks(self.using, worker_id, queues, limit, lease)
        # Only a task that ran before can have errors; first attempts skip that query.
        retried = [task.id for task in tasks if task.attempt > 1]
        if retried:
            errors = self.repository.errors_of(retried)
            for task in tasks:
                task.errors = [error_from_record(error) for error in errors.get(task.id, ())]
        # Hand them out in claim order: priority, then run_after, then id.
        return sorted(tasks, key=lambda t: (-t.priority, t.run_after, t.id))

    def dequeue(
        self, worker_id: str, queues: Sequence[str], lease: timedelta, timeout: float
    ) -> Task:
        """Claim one task, waiting up to `timeout` seconds for one; QueueEmpty if none came."""
        deadline = time.monotonic() + timeout
        while True:
            claimed = self.claim(worker_id, queues, 1, lease)
            if claimed:
                return claimed[0]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QueueEmpty(f"no task became ready in {', '.join(queues)} within {timeout}s")
            self._wait(min(remaining, self.poll_interval))

    def wait_for_work(self, queues: Sequence[str], timeout: float) -> None:
        """Sleep until a NOTIFY (PostgreSQL) or an enqueue in this process, at most the poll
        interval: delayed tasks fall due, limits free up and rates refill unannounced.

        On PostgreSQL the first call starts listening, on a connection kept open: what is
        announced between two calls waits on it and ends the next one at once."""
        self._wait(max(0.0, min(timeout, self.poll_interval)))

    def length(self, queue: str | None = None) -> int:
        """How many due tasks wait in `queue` (all queues when None)."""
        rows = TaskRecord.objects.using(self.using).filter(
            waiting(), run_after__lte=self.repository.clock.now()
        )
        if queue is not None:
            rows = rows.filter(queue=queue)
        return rows.count()

    def pause(self, queue: str) -> bool:
        """Stop claims from `queue` until resumed; False if it was paused already."""
        _, created = QueuePause.objects.using(self.using).get_or_create(queue=queue)
        return created

    def resume(self, queue: str) -> bool:
        """Let claims take from `queue` again (waking claimers); False if it was not paused."""
        deleted, _ = QueuePause.objects.using(self.using).filter(queue=queue).delete()
        if deleted:
            self._wake(queue)
        return deleted > 0

    def paused(self) -> frozenset[str]:
        """The names of the paused queues."""
        return frozenset(QueuePause.objects.using(self.using).values_list("queue", flat=True))

    def set_limit(self, queue: str, limit: int | None) -> int | None:
        """At most `limit` tasks of `queue` run at once; None lifts it. The limit replaced."""
        check_queue_limit(limit)
        rows = QueueLimit.objects.using(self.using).filter(queue=queue)
        # The row is locked from the read to the write (SQLite: BEGIN IMMEDIATE), so the
        # limit returned is the one this write replaced, not one another writer set meanwhile.
        with transaction.atomic(using=self.using):
            previous = rows.select_for_update().values_list("max_running", flat=True).first()
            if limit is None:
                rows.delete()
            elif previous is None:
                rows.create(queue=queue, max_running=limit)
            else:
                rows.update(max_running=limit)
        forget_limited_queues(self.using)
        # A raised or lifted limit may free slots for idle claimers.
        self._wake(queue)
        return previous

    def limits(self) -> dict[str, int]:
        """The limited queues and their limits."""
        return dict(QueueLimit.objects.using(self.using).values_list("queue", "max_running"))

    def set_rate(self, queue: str, rate: QueueRate | None) -> QueueRate | None:
        """At most `rate` task starts of `queue` across all workers; None lifts it."""
        rows = QueueRateRecord.objects.using(self.using).filter(queue=queue)
        # Locked from the read to the write, as set_limit: the rate returned is the one replaced.
        with transaction.atomic(using=self.using):
            previous_row = rows.select_for_update().first()
            previous = None if previous_row is None else _rate_of(previous_row)
            # A new rate starts with full buckets, its partitions' too.
            QueueRateBucket.objects.using(self.using).filter(queue=queue).delete()
            if rate is None:
                rows.delete()
            else:
                bucket = full_bucket(rate, DatabaseClock(self.using).now())
                QueueRateRecord.objects.using(self.using).update_or_create(
                    queue=queue,
                    defaults={
                        "max_starts": rate.limit,
                        "per": rate.per,
                        "partition_by": rate.partition_by or "",
                        "tokens": bucket.tokens,
                        "refilled_at": bucket.refilled_at,
                    },
                )
        forget_rated_queues(self.using)
        # A lifted or raised rate may let idle claimers take tasks now.
        self._wake(queue)
        return previous

    def rates(self) -> dict[str, QueueRate]:
        """The rated queues and their rates."""
        return {row.queue: _rate_of(row) for row in QueueRateRecord.objects.using(self.using)}

    def close(self) -> None:
        """Stop listening for notifications."""
        with self._listener_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    def _wait(self, seconds: float) -> None:
        listener = self._notification_listener()
        if listener is not None:
            listener.wait(seconds)
        elif self._local_wakeup.wait(seconds):
            self._local_wakeup.clear()

    def _notification_listener(self) -> TaskNotificationListener | None:
        if connections[self.using].vendor != "postgresql":
            return None
        with self._listener_lock:
            if self._listener is None:
                self._listener = TaskNotificationListener(self.using)
            return self._listener


def _rate_of(row: QueueRateRecord) -> QueueRate:
    return QueueRate(row.max_starts, row.per, row.partition_by or None)
