"""Tasks held in memory, with the waiting-task index a database would keep beside them."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID

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
from scheduler_core.domain.fencing import loses_cancel_request
from scheduler_core.domain.ports import Clock, TaskRepository
from scheduler_core.domain.progress import Progress
from scheduler_core.domain.pruning import check_prunable
from scheduler_core.domain.task import PROMOTABLE_STATUSES
from scheduler_core.domain.workflow_steps import ends_step, rearms_steps

from .ready_index import ReadyIndex
from .task_listing import keyset_page, matches
from .workflow_graph import InMemoryWorkflowGraph


class InMemoryTaskRepository(TaskRepository):
    """A thread-safe task table plus its partial index of waiting tasks.

    Every write keeps the index in step, as a database index would, so a task that goes back
    to waiting (retrying, run now, retried) is claimable again without a call to enqueue.
    Tasks go in and come out as deep copies: no caller ever holds a stored object.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        # Re-entrant because the queue holds it across several repository calls per claim.
        self._condition = threading.Condition(threading.RLock())
        self._tasks: dict[UUID, Task] = {}
        self._index = ReadyIndex()
        # unique_key -> id of the one live (non-terminal) task holding it: the partial
        # unique index of the database.
        self._live_keys: dict[str, UUID] = {}
        self._transitions: dict[UUID, list[TaskTransition]] = {}
        # Workflow runs and their edges, settled under the same lock as the tasks.
        self.graph = InMemoryWorkflowGraph()

    @property
    def condition(self) -> threading.Condition:
        """The lock guarding every task, notified whenever a task starts waiting."""
        return self._condition

    # -- reads -----------------------------------------------------------------------------

    def get(self, task_id: UUID) -> Task:
        """The task with this id; TaskNotFound if there is none."""
        with self._condition:
            return copy.deepcopy(self._stored(task_id))

    def find_by_status(self, status: TaskStatus, limit: int) -> list[Task]:
        """Up to `limit` tasks in `status`: highest priority, then earliest run_after, then id."""
        with self._condition:
            found = [task for task in self._tasks.values() if task.status == status]
            found.sort(key=lambda task: (-task.priority, task.run_after, task.id))
            return copy.deepcopy(found[: max(limit, 0)])

    def find_live_by_unique_key(self, unique_key: str) -> Task | None:
        """The task holding `unique_key` that has not reached a terminal state, if any."""
        with self._condition:
            task_id = self._live_keys.get(unique_key)
            return None if task_id is None else copy.deepcopy(self._tasks[task_id])

    def find_expired_leases(self, limit: int) -> list[Task]:
        """Up to `limit` running tasks whose lease ran out by the clock, oldest lease first."""
        with self._condition:
            now = self._clock.now()
            expired = [task for task in self._tasks.values() if task.lease_expired(now)]
            expired.sort(key=lambda task: (task.lease_expires_at, task.id))
            return copy.deepcopy(expired[: max(limit, 0)])

    def count_by_status(self, queue: str | None = None) -> dict[TaskStatus, int]:
        """How many tasks are in each status (every status present, zero included)."""
        counts = dict.fromkeys(TaskStatus, 0)
        with self._condition:
            for task in self._tasks.values():
                if queue is None or task.queue == queue:
                    counts[task.status] += 1
        return counts

    def find_steps(self, run_id: UUID) -> list[Task]:
        """Copies of the steps of a workflow run."""
        return self.find_steps_of({run_id})

    def find_steps_of(self, run_ids: Collection[UUID]) -> list[Task]:
        """Copies of the steps of these workflow runs."""
        with self._condition:
            return copy.deepcopy([t for t in self._tasks.values() if t.workflow_id in run_ids])

    def count_running(self, queues: Iterable[str]) -> dict[str, int]:
        """How many tasks of each of `queues` are running (queues with none are left out)."""
        wanted = set(queues)
        counts: dict[str, int] = {}
        with self._condition:
            for task in self._tasks.values():
                if task.status is TaskStatus.RUNNING and task.queue in wanted:
                    counts[task.queue] = counts.get(task.queue, 0) + 1
        return counts

    def running_by_worker(self, worker_ids: Collection[str]) -> dict[str, set[UUID]]:
        """worker id -> ids of the running tasks it holds, for these workers."""
        wanted = set(worker_ids)
        held: dict[str, set[UUID]] = {}
        with self._condition:
            for task in self._tasks.values():
                if task.status is TaskStatus.RUNNING and task.worker_id in wanted:
                    held.setdefault(task.worker_id, set()).add(task.id)
        return held

    def transitions(self, task_id: UUID) -> list[TaskTransition]:
        """The task's recorded transitions, oldest first (empty for an unknown task)."""
        with self._condition:
            # The records are frozen, so sharing them is safe; the list is the caller's own.
            return list(self._transitions.get(task_id, ()))

    # -- writes ----------------------------------------------------------------------------

    def add(self, task: Task) -> None:
        """Store a new task; DuplicateTask if its id or live unique key is taken."""
        self.add_many([task])

    def add_now(self, task: Task) -> bool:
        """Store a new task due at once, enqueued and due at the clock's time of the write."""
        task.stamp_enqueued(self._clock.now())
        self.add(task)
        # The queue wakes the claimers.
        return False

    def add_many(self, tasks: Sequence[Task]) -> None:
        """Store new tasks all together or not at all; DuplicateTask if any clashes."""
        # A malformed task (a naive datetime, say) would break heap ordering for every claim.
        for task in tasks:
            task.validate()
        with self._condition:
            self._check_new(tasks)
            now = self._clock.now()
            for task in tasks:
                self._store(task, now)
            self._notify_if_waiting(tasks)

    def update(
        self,
        task: Task,
        *,
        expected_status: TaskStatus,
        expected_attempt: int,
        expected_worker: str | None = None,
    ) -> None:
        """Store `task` if the stored one still has this status and attempt, else StaleTask."""
        with self._condition:
            stored = self._stored(task.id)
            if stored.status != expected_status or stored.attempt != expected_attempt:
                raise StaleTask(
                    f"task {task.id} is {stored.status} at attempt {stored.attempt}, not "
                    f"{expected_status} at attempt {expected_attempt}"
                )
            if expected_worker is not None and stored.worker_id != expected_worker:
                raise StaleTask(
                    f"task {task.id} is held by {stored.worker_id}, not {expected_worker}"
                )
            if loses_cancel_request(stored, task):
                raise StaleTask(f"task {task.id} was asked to cancel since it was read")
            self._check_unique_key(task, self._live_keys)
            self._release_key(stored)
            now = self._clock.now()
            self._store(task, now)
            self._settle_workflow(task, stored.status, now)
            self._notify_if_waiting([task])

    def delete(self, task_id: UUID) -> None:
        """Remove a task and its history; TaskNotFound if there is none."""
        with self._condition:
            stored = self._stored(task_id)
            self._release_key(stored)
            self._index.discard(task_id)
            del self._tasks[task_id]
            self._transitions.pop(task_id, None)

    def prune(
        self, *, statuses: frozenset[TaskStatus], finished_before: datetime, limit: int
    ) -> int:
        """Delete up to `limit` tasks in these terminal statuses finished before the moment."""
        check_prunable(statuses, limit)
        with self._condition:
            # A step of a run still going stays: a step after it may yet read its result.
            open_runs = {
                task.workflow_id
                for task in self._tasks.values()
                if task.workflow_id is not None and not task.is_terminal()
            }
            old = sorted(
                (
                    task
                    for task in self._tasks.values()
                    if task.status in statuses
                    and task.finished_at is not None
                    and task.finished_at < finished_before
                    and task.workflow_id not in open_runs
                ),
                key=lambda task: (task.finished_at, task.id),
            )[:limit]
            for task in old:
                self.delete(task.id)
            return len(old)

    def expire_results(self, limit: int) -> int:
        """Drop up to `limit` results whose result_ttl ran out, by the repository's clock."""
        now = self._clock.now()
        with self._condition:
            open_runs = {
                task.workflow_id
                for task in self._tasks.values()
                if task.workflow_id is not None and not task.is_terminal()
            }
            expired = 0
            for task in sorted(self._tasks.values(), key=lambda t: (t.finished_at or now, t.id)):
                if expired >= limit:
                    break
                if task.workflow_id in open_runs or not task.is_terminal():
                    continue
                try:
                    task.expire_result(now=now)
                except InvalidTransition:
                    continue
                expired += 1
            return expired

    def prune_activity(self, before: datetime) -> int:
        """Nothing to delete: the in-memory storage keeps no activity rollup (no charts)."""
        return 0

    def promote_due(self, limit: int) -> int:
        """Move up to `limit` due scheduled or retrying tasks to ready, oldest run_after first."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        with self._condition:
            now = self._clock.now()
            due = sorted(
                (
                    task
                    for task in self._tasks.values()
                    if task.status in PROMOTABLE_STATUSES and task.run_after <= now
                ),
                key=lambda task: (task.run_after, task.id),
            )[:limit]
            for task in due:
                task.promote(now=now)
                # The index entry stays put: queue, priority and run_after are unchanged.
                self._store(task, now)
            return len(due)

    def extend_leases(
        self, worker_id: str, held: Collection[tuple[UUID, int]], lease: timedelta
    ) -> list[Task]:
        """Push to now + lease the leases of the worker's running tasks among `held`."""
        with self._condition:
            now = self._clock.now()
            running = []
            for task_id, attempt in set(held):
                task = self._held_by(worker_id, task_id, attempt)
                if task is not None:
                    running.append(task)
            for task in running:
                task.extend_lease(attempt=task.attempt, now=now, lease=lease)
            running.sort(key=lambda task: task.id)
            return copy.deepcopy(running)

    def mark_started(self, worker_id: str, held: Collection[tuple[UUID, int]]) -> int:
        """Stamp the start of these attempts, where the worker still holds them; how many."""
        with self._condition:
            now = self._clock.now()
            changed = 0
            for task_id, attempt in set(held):
                task = self._held_by(worker_id, task_id, attempt)
                if task is not None and task.attempt_started_at is None:
                    task.mark_started(attempt=attempt, now=now)
                    changed += 1
            return changed

    def record_progress(self, worker_id: str, reports: Sequence[tuple[UUID, int, Progress]]) -> int:
        """Store the progress reports of attempts the worker still holds; how many."""
        with self._condition:
            now = self._clock.now()
            changed = 0
            for task_id, attempt, progress in reports:
                task = self._held_by(worker_id, task_id, attempt)
                if task is not None:
                    task.report_progress(replace(progress, at=now), attempt=attempt)
                    changed += 1
            return changed

    # -- the waiting-task index, for InMemoryQueue -----------------------------------------

    def take_due(self, queues: Iterable[str], limit: int, now: datetime) -> list[Task]:
        """Pop up to `limit` due tasks of `queues` off the index, in claim order, as copies.

        The caller must hold `condition` and store every task it got (claimed) before it
        lets go: a task taken and not stored would wait unseen by any claimer.
        """
        with self._condition:
            taken = self._index.pop_due(queues, limit, now)
            return [copy.deepcopy(self._tasks[task_id]) for task_id in taken]

    def take_due_matching(
        self, queue: str, limit: int, now: datetime, accept: Callable[[Task], bool]
    ) -> list[Task]:
        """Pop up to `limit` due tasks of `queue` that `accept` takes, in claim order, as copies.

        The tasks it refuses stay in the index where they were. The caller holds `condition`
        and stores every task it got, as with take_due.
        """
        with self._condition:
            taken: list[Task] = []
            refused: list[Task] = []
            while len(taken) < limit:
                popped = self._index.pop_due([queue], 1, now)
                if not popped:
                    break
                task = self._tasks[popped[0]]
                (taken if accept(task) else refused).append(task)
            for task in refused:
                self._index.put(task, now)
            return [copy.deepcopy(task) for task in taken]

    def next_run_after(self, queues: Iterable[str]) -> datetime | None:
        """When the earliest not-yet-due waiting task of `queues` falls due, if there is one."""
        with self._condition:
            return self._index.next_run_after(queues)

    def count_due(self, queue: str | None, now: datetime) -> int:
        """How many waiting tasks of `queue` (every queue when None) are due at `now`."""
        with self._condition:
            return self._index.count_due(queue, now)

    # -- internals (callers hold the lock) -------------------------------------------------

    def _held_by(self, worker_id: str, task_id: UUID, attempt: int) -> Task | None:
        """The stored task if `worker_id` runs it at `attempt` (the lease's fence), else None."""
        task = self._tasks.get(task_id)
        if (
            task is not None
            and task.status == TaskStatus.RUNNING
            and task.worker_id == worker_id
            and task.attempt == attempt
        ):
            return task
        return None

    def _stored(self, task_id: UUID) -> Task:
        try:
            return self._tasks[task_id]
        except KeyError:
            raise TaskNotFound(f"no task with id {task_id}") from None

    def _check_new(self, tasks: Sequence[Task]) -> None:
        ids: set[UUID] = set()
        keys = dict(self._live_keys)
        for task in tasks:
            if task.id in self._tasks or task.id in ids:
                raise DuplicateTask(f"a task with id {task.id} exists")
            ids.add(task.id)
            self._check_unique_key(task, keys)
            if task.unique_key is not None and not task.is_terminal():
                keys[task.unique_key] = task.id

    @staticmethod
    def _check_unique_key(task: Task, live_keys: dict[str, UUID]) -> None:
        if task.unique_key is None or task.is_terminal():
            return
        holder = live_keys.get(task.unique_key)
        if holder is not None and holder != task.id:
            raise DuplicateTask(f"live task {holder} holds unique key {task.unique_key!r}")

    def _release_key(self, stored: Task) -> None:
        if stored.unique_key is not None and self._live_keys.get(stored.unique_key) == stored.id:
            del self._live_keys[stored.unique_key]

    def _store(self, task: Task, now: datetime) -> None:
        """Keep a copy of `task`, log its pending transitions and bring the indexes in step."""
        kept = copy.deepcopy(task)
        kept.pending_transitions = []
        self._transitions.setdefault(task.id, []).extend(task.pending_transitions)
        task.pending_transitions.clear()
        self._tasks[task.id] = kept
        if kept.unique_key is not None and not kept.is_terminal():
            self._live_keys[kept.unique_key] = kept.id
        if kept.status.is_waiting:
            self._index.put(kept, now)
        else:
            self._index.discard(kept.id)

    def _settle_workflow(self, task: Task, previous: TaskStatus, now: datetime) -> None:
        # Under the lock of the write, as a database does it in the write's transaction.
        def store(step: Task) -> None:
            self._store(step, now)
            self._notify_if_waiting([step])

        if ends_step(task, previous):
            self.graph.settle(task, self._tasks, store, task.finished_at or now)
        elif rearms_steps(task, previous):
            self.graph.rearm(task, self._tasks, store, task.run_after)

    def _notify_if_waiting(self, tasks: Iterable[Task]) -> None:
        if any(task.status.is_waiting for task in tasks):
            self._condition.notify_all()

    # Last in the class: its name would shadow the builtin in later annotations.
    def list(self, task_filter: TaskFilter, page: PageRequest) -> Page[Task]:
        """Tasks matching the filter, newest enqueued first, one keyset page at a time."""
        with self._condition:
            found = [task for task in self._tasks.values() if matches(task, task_filter)]
            result = keyset_page(found, page)
            return Page(copy.deepcopy(result.items), result.next_cursor)

    def count(self, task_filter: TaskFilter, *, up_to: int | None = None) -> int:
        """How many tasks match the filter, stopping at `up_to` when given."""
        with self._condition:
            found = sum(1 for task in self._tasks.values() if matches(task, task_filter))
        return found if up_to is None else min(found, up_to)
