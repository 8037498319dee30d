"""Tasks kept in the database through the Django ORM (SQLite or PostgreSQL)."""

from __future__ import annotations

import operator
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from functools import reduce
from uuid import UUID

from django.db import IntegrityError, connections, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from scheduler_core.domain import (
    DuplicateTask,
    InvalidTransition,
    Page,
    PageRequest,
    StaleTask,
    Task,
    TaskFilter,
    TaskNotFound,
    TaskStatus,
    TaskTransition,
)
from scheduler_core.domain.listing import Cursor
from scheduler_core.domain.ports import TaskRepository
from scheduler_core.domain.progress import Progress
from scheduler_core.domain.pruning import check_prunable
from scheduler_core.domain.workflow_steps import ends_step, rearms_steps
from scheduler_core.models import TaskErrorRecord, TaskEvent, TaskRecord
from scheduler_core.models.choices import live

from .activity_pruning import prune_activity
from .attempt_start import ids_by_attempt, mark_attempts_started
from .completion import is_plain_success, store_successes
from .counters.reads import queue_counts
from .db_clock import DatabaseClock
from .mapping import (
    error_record,
    event_record,
    task_from_record,
    task_values,
    transition_from_event,
)
from .progress_writes import store_progress
from .promotion import promote_due_tasks
from .result_expiry import expire_results
from .round_write import can_write_round, store_round
from .row_locks import lock_rows_in_id_order, lock_tasks_in_id_order
from .sqlite_locks import retry_when_locked
from .task_insert import insert_task_now_postgres, insert_tasks
from .task_listing import capped_count, filtered, page_rows
from .workflow_rearm import rearm_below
from .workflow_settle import settle_ended_steps


class DjangoTaskRepository(TaskRepository):
    """Tasks in the `scheduler_task` table, errors and transitions in their own tables."""

    def __init__(self, using: str = "default", clock: DatabaseClock | None = None) -> None:
        self.using = using
        self.clock = clock or DatabaseClock(using)

    # -- reads -----------------------------------------------------------------------------

    def rows(self) -> QuerySet[TaskRecord]:
        """Task rows of this database, with their errors fetched alongside."""
        errors = TaskErrorRecord.objects.using(self.using).order_by("attempt", "id")
        return TaskRecord.objects.using(self.using).prefetch_related(
            Prefetch("error_records", queryset=errors)
        )

    def errors_of(self, task_ids: Sequence[UUID]) -> dict[UUID, list[TaskErrorRecord]]:
        """The error rows of these tasks, in attempt order, by task id."""
        by_task: dict[UUID, list[TaskErrorRecord]] = {}
        rows = TaskErrorRecord.objects.using(self.using).filter(task_id__in=list(task_ids))
        for row in rows.order_by("attempt", "id"):
            by_task.setdefault(row.task_id, []).append(row)
        return by_task

    def get(self, task_id: UUID) -> Task:
        """The task with this id; TaskNotFound if there is none."""
        try:
            record = self.rows().get(id=task_id)
        except TaskRecord.DoesNotExist:
            raise TaskNotFound(f"no task with id {task_id}") from None
        return to_task(record)

    def find_by_status(self, status: TaskStatus, limit: int) -> list[Task]:
        """Up to `limit` tasks in `status`: highest priority, then earliest run_after, then id."""
        rows = self.rows().filter(status=status.value).order_by("-priority", "run_after", "id")
        return [to_task(record) for record in rows[:limit]]

    def find_live_by_unique_key(self, unique_key: str) -> Task | None:
        """The task holding `unique_key` that has not reached a terminal state, if any."""
        record = (
            self.rows()
            .filter(unique_key=unique_key)
            .exclude(status__in=[s.value for s in TaskStatus if s.is_terminal])
            .first()
        )
        return None if record is None else to_task(record)

    def find_live_by_unique_keys(self, unique_keys: Sequence[str]) -> dict[str, Task]:
        """The live holder of each of these keys that has one, by key, in one query."""
        keys = list(dict.fromkeys(unique_keys))
        if not keys:
            return {}
        records = (
            self.rows()
            .filter(unique_key__in=keys)
            .exclude(status__in=[s.value for s in TaskStatus if s.is_terminal])
        )
        return {str(record.unique_key): to_task(record) for record in records}

    def find_expired_leases(self, limit: int) -> list[Task]:
        """Up to `limit` running tasks whose lease ran out, by the database's clock."""
        rows = self.rows().filter(
            status=TaskStatus.RUNNING.value, lease_expires_at__lte=self.clock.now()
        )
        return [to_task(record) for record in rows.order_by("lease_expires_at", "id")[:limit]]

    def count_by_status(self, queue: str | None = None) -> dict[TaskStatus, int]:
        """How many tasks are in each status (every status present, zero included)."""
        # From the trigger-kept counters (docs/counters.md), not a count of the table.
        counts = dict.fromkeys(TaskStatus, 0)
        for name, by_status in queue_counts(self.using).items():
            if queue is None or name == queue:
                for status, n in by_status.items():
                    counts[status] += n
        return counts

    def transitions(self, task_id: UUID) -> list[TaskTransition]:
        """The task's recorded transitions, oldest first."""
        events = TaskEvent.objects.using(self.using).filter(task_id=task_id).order_by("id")
        return [transition_from_event(event) for event in events]

    # -- writes ----------------------------------------------------------------------------

    def add(self, task: Task) -> None:
        """Store a new task; DuplicateTask if its id or live unique key is taken."""
        self.add_many([task])

    def add_now(self, task: Task) -> bool:
        """Store a new task due at once, enqueued and due at the database clock's time of the write.

        On PostgreSQL one statement stamps, stores and announces the row (True: the queue
        need send no NOTIFY of its own); SQLite's clock is a cheap local read (False).
        """
        connection = connections[self.using]
        if connection.vendor != "postgresql":
            task.stamp_enqueued(self.clock.now())
            self.add(task)
            return False
        if not task.is_new_and_due_at_once():
            raise InvalidTransition("only a new task due at once takes the database's time")
        try:
            if connection.in_atomic_block:
                # A savepoint, so a clash leaves the caller's transaction usable.
                with transaction.atomic(using=self.using):
                    stamp = insert_task_now_postgres(connection, task)
            else:
                # The one statement is its own transaction: no BEGIN, no COMMIT.
                stamp = insert_task_now_postgres(connection, task)
        except IntegrityError as error:
            raise DuplicateTask(
                f"a task with the same id or live unique key exists: {error}"
            ) from error
        task.stamp_enqueued(stamp)
        return True

    def add_many(self, tasks: Sequence[Task]) -> None:
        """Store new tasks all together or not at all; DuplicateTask if any clashes."""
        if not tasks:
            return
        connection = connections[self.using]
        plain = not any(t.errors or t.pending_transitions for t in tasks)
        if len(tasks) == 1 and plain and not connection.in_atomic_block:

            def insert() -> None:
                # One row and nothing else: the INSERT is its own transaction.
                insert_tasks(connection, tasks)

        else:

            def insert() -> None:
                with transaction.atomic(using=self.using):
                    insert_tasks(connection, tasks)
                    errors = [error_record(t.id, e) for t in tasks for e in t.errors]
                    if errors:
                        TaskErrorRecord.objects.using(self.using).bulk_create(errors)
                    self._log([tr for t in tasks for tr in t.pending_transitions])

        try:
            retry_when_locked(insert)
        except IntegrityError as error:
            raise DuplicateTask(
                f"a task with the same id or live unique key exists: {error}"
            ) from error
        for task in tasks:
            task.pending_transitions.clear()

    def update(
        self,
        task: Task,
        *,
        expected_status: TaskStatus,
        expected_attempt: int,
        expected_worker: str | None = None,
    ) -> None:
        """Store `task` if the stored one still has this status and attempt, else StaleTask."""

        def write() -> int:
            with transaction.atomic(using=self.using):
                rows = TaskRecord.objects.using(self.using).filter(
                    id=task.id, status=expected_status.value, attempt=expected_attempt
                )
                if expected_worker is not None:
                    rows = rows.filter(worker_id=expected_worker)
                if expected_status is TaskStatus.RUNNING and not task.cancel_requested:
                    # Never clear a cancel request made after the writer read the task.
                    rows = rows.filter(cancel_requested=False)
                changed = rows.update(**task_values(task))
                if changed:
                    self._store_new_errors(task, expected_status, expected_attempt)
                    self._log(task.pending_transitions)
                    self._settle_workflow(task, expected_status)
                return changed

        try:
            changed = retry_when_locked(write)
        except IntegrityError as error:
            raise DuplicateTask(
                f"another live task holds unique key {task.unique_key!r}"
            ) from error
        if not changed:
            if not TaskRecord.objects.using(self.using).filter(id=task.id).exists():
                raise TaskNotFound(f"no task with id {task.id}")
            raise StaleTask(
                f"task {task.id} is no longer {expected_status} at attempt {expected_attempt}"
            )
        task.pending_transitions.clear()

    def finish_many(self, tasks: Sequence[Task]) -> set[UUID]:
        """Store ended attempts, fenced; plain successes in one UPDATE (per result) and INSERT."""
        plain = [task for task in tasks if is_plain_success(task)]
        others = [task for task in tasks if not is_plain_success(task)]
        stored: set[UUID] = set()
        if plain:

            def write() -> set[UUID]:
                with transaction.atomic(using=self.using):
                    done = store_successes(self.using, plain)
                    steps = [t for t in plain if t.id in done and t.workflow_id is not None]
                    if steps:
                        settle_ended_steps(self.using, steps)
                    return done

            stored = retry_when_locked(write)
        return stored | super().finish_many(others)

    def finish_round(self, started: Sequence[Task], ended: Sequence[Task]) -> set[UUID]:
        """Stamp starts and store endings together: one statement for plain successes on
        PostgreSQL (round_write.py), else one transaction whose rows are locked in id order."""
        if ended and can_write_round(self.using, ended):
            return store_round(self.using, started, ended)
        if not started:
            # Endings alone: finish_many's own transaction, with nothing to order them against.
            return self.finish_many(ended)

        def write() -> set[UUID]:
            with transaction.atomic(using=self.using):
                lock_tasks_in_id_order(
                    self.using, {task.id for task in ended} | {task.id for task in started}
                )
                return super(DjangoTaskRepository, self).finish_round(started, ended)

        return retry_when_locked(write)

    def delete(self, task_id: UUID) -> None:
        """Remove a task and its history; TaskNotFound if there is none."""
        deleted = retry_when_locked(
            lambda: TaskRecord.objects.using(self.using).filter(id=task_id).delete()[0]
        )
        if not deleted:
            raise TaskNotFound(f"no task with id {task_id}")

    def prune(
        self, *, statuses: frozenset[TaskStatus], finished_before: datetime, limit: int
    ) -> int:
        """Delete up to `limit` tasks in these terminal statuses finished before the moment."""
        check_prunable(statuses, limit)
        rows = TaskRecord.objects.using(self.using)
        # A step of a run still going stays: a step after it may yet read its result.
        open_run = rows.filter(workflow_id=OuterRef("workflow_id")).filter(live())
        oldest = (
            rows.filter(
                status__in=sorted(status.value for status in statuses),
                finished_at__lt=finished_before,
            )
            .exclude(Q(workflow_id__isnull=False) & Exists(open_run))
            .order_by("finished_at", "id")
        )
        ids = list(oldest.values_list("id", flat=True)[:limit])
        if not ids:
            return 0
        # Errors go by ON DELETE CASCADE in the database, events by its trigger (migration
        # 0026), both without a Python pass.
        # The status filter is repeated so a task retried since the select stays.
        stale = rows.filter(id__in=ids, status__in=[status.value for status in statuses])
        deleted: int = retry_when_locked(lambda: stale.delete()[0])
        return deleted

    def expire_results(self, limit: int) -> int:
        """Drop up to `limit` results whose result_ttl ran out, by the database clock."""
        return expire_results(self.using, limit)

    def prune_activity(self, before: datetime) -> int:
        """Delete the activity rollup's minutes that began before the moment; how many rows."""
        return retry_when_locked(lambda: prune_activity(self.using, before))

    def promote_due(self, limit: int) -> int:
        """Move up to `limit` due scheduled or retrying tasks to ready, by the database clock."""
        return promote_due_tasks(self.using, limit)

    def extend_leases(
        self, worker_id: str, held: Collection[tuple[UUID, int]], lease: timedelta
    ) -> list[Task]:
        """Push to now + lease the leases of the worker's running tasks among `held`."""
        by_attempt = ids_by_attempt(held)
        if not by_attempt:
            return []
        # One id list per attempt number: attempts are few (most tasks are on their first),
        # so the statement stays short, and each row is found by its primary key.
        pairs = reduce(
            operator.or_,
            (Q(attempt=attempt, id__in=ids) for attempt, ids in by_attempt.items()),
        )
        running = self.rows().filter(pairs, worker_id=worker_id, status=TaskStatus.RUNNING.value)

        def extend() -> None:
            with transaction.atomic(using=self.using):
                # The outcome writer locks its rows in id order too (row_locks.py).
                lock_rows_in_id_order(running)
                running.update(lease_expires_at=self.clock.now() + lease)

        retry_when_locked(extend)
        return [to_task(record) for record in running.order_by("id")]

    def mark_started(self, worker_id: str, held: Collection[tuple[UUID, int]]) -> int:
        """Stamp the start of these attempts, where the worker still holds them; how many."""
        return retry_when_locked(lambda: mark_attempts_started(self.using, worker_id, held))

    def record_progress(self, worker_id: str, reports: Sequence[tuple[UUID, int, Progress]]) -> int:
        """Store the progress reports of attempts the worker still holds; how many."""
        return retry_when_locked(lambda: store_progress(self.using, worker_id, reports))

    # -- internals -------------------------------------------------------------------------

    def _store_new_errors(
        self, task: Task, expected_status: TaskStatus, expected_attempt: int
    ) -> None:
        # Errors are only ever added while an attempt runs, so the ones of the fenced attempt
        # are exactly those this write adds.
        if expected_status is not TaskStatus.RUNNING:
            return
        new = [error_record(task.id, e) for e in task.errors if e.attempt == expected_attempt]
        TaskErrorRecord.objects.using(self.using).bulk_create(new)

    def _settle_workflow(self, task: Task, previous: TaskStatus) -> None:
        # In the write's transaction: the outcome and what it releases commit together.
        if ends_step(task, previous):
            settle_ended_steps(self.using, [task])
        elif rearms_steps(task, previous):
            rearm_below(self.using, task, task.run_after)

    def _log(self, transitions: Sequence[TaskTransition]) -> None:
        if not transitions:
            return
        TaskEvent.objects.using(self.using).bulk_create([event_record(t) for t in transitions])

    # Last in the class: its name would shadow the builtin in later annotations.
    def list(self, task_filter: TaskFilter, page: PageRequest) -> Page[Task]:
        """Tasks matching the filter, newest enqueued first, one keyset page at a time."""
        # One row more than asked tells whether another page exists without a COUNT.
        records = page_rows(self.rows(), task_filter, page)
        tasks = [to_task(record) for record in records[: page.limit]]
        next_cursor = None
        if len(records) > page.limit:
            last = tasks[-1]
            next_cursor = Cursor(last.enqueued_at, last.id)
        return Page(tasks, next_cursor)

    def count(self, task_filter: TaskFilter, *, up_to: int | None = None) -> int:
        """How many tasks match the filter, counted by the database up to `up_to`."""
        # The bare table, not rows(): a count needs no prefetched errors.
        rows = TaskRecord.objects.using(self.using).all()
        if up_to is None:
            return filtered(rows, task_filter).count()
        # Counted over a LIMITed subquery, so reads stop at the cap.
        return capped_count(rows, task_filter, up_to)


def to_task(record: TaskRecord) -> Task:
    """The domain task of a row fetched through DjangoTaskRepository.rows()."""
    return task_from_record(record, record.error_records.all())
