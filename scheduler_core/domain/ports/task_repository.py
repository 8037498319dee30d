"""Storage of tasks."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from ..errors import StaleTask, TaskNotFound
from ..listing import Page, PageRequest, TaskFilter
from ..progress import Progress
from ..records import TaskTransition
from ..status import TaskStatus
from ..task import Task


class TaskRepository(ABC):
    """Keeps tasks; every write of a claimed task is fenced by the attempt it was read at."""

    @abstractmethod
    def add(self, task: Task) -> None:
        """Store a new task; DuplicateTask if its id is taken."""

    @abstractmethod
    def add_now(self, task: Task) -> bool:
        """Store a new task due at once, stamped with the storage clock's time of the write.

        Its enqueued_at and run_after become that time (Task.stamp_enqueued), which a database
        can read in the same statement that writes the row; otherwise as add(). True when that
        write also woke the claimers (then the queue need not); False leaves it to the queue.
        """

    @abstractmethod
    def add_many(self, tasks: Sequence[Task]) -> None:
        """Store new tasks all together or not at all; DuplicateTask if any id is taken."""

    @abstractmethod
    def get(self, task_id: UUID) -> Task:
        """The task with this id; TaskNotFound if there is none."""

    @abstractmethod
    def update(
        self,
        task: Task,
        *,
        expected_status: TaskStatus,
        expected_attempt: int,
        expected_worker: str | None = None,
    ) -> None:
        """Store `task` if the stored one has this status and attempt, else StaleTask.

        With `expected_worker`, the stored task must also be held by that worker: the fence
        names the holder, so two claims that share an attempt number (one given back, or
        lost in a database crash) never let each other's writes through. A write must also
        not clear the cancel request of a running task (StaleTask).
        """

    def finish_many(self, tasks: Sequence[Task]) -> set[UUID]:
        """Store attempts that just ended, each fenced as update() fences it; the ids stored.

        Each task must still be running at its `attempt` (with no cancel request it does not
        carry) in storage; one that is not is left as stored and its id is not returned, so
        the caller decides what a refused write means. An adapter may write all in one go.
        """
        stored = set()
        for task in tasks:
            try:
                self.update(
                    task,
                    expected_status=TaskStatus.RUNNING,
                    expected_attempt=task.attempt,
                    expected_worker=task.worker_id,
                )
            except (StaleTask, TaskNotFound):
                continue
            stored.add(task.id)
        return stored

    def finish_round(self, started: Sequence[Task], ended: Sequence[Task]) -> set[UUID]:
        """Stamp the starts of `started` (as mark_started) and store `ended` (as finish_many),
        in one transaction where the storage has them; the ids of `ended` stored.

        An outcome writer's round: attempts that began, and attempts that ended.
        """
        ending = {task.id for task in ended}
        still_running = [task for task in started if task.id not in ending]
        for worker_id, held in attempts_by_worker(still_running).items():
            self.mark_started(worker_id, held)
        return self.finish_many(ended)

    @abstractmethod
    def delete(self, task_id: UUID) -> None:
        """Remove a task and its history; TaskNotFound if there is none."""

    @abstractmethod
    def find_by_status(self, status: TaskStatus, limit: int) -> list[Task]:
        """Up to `limit` tasks in `status`: highest priority, then earliest run_after, then id."""

    @abstractmethod
    def find_live_by_unique_key(self, unique_key: str) -> Task | None:
        """The task holding `unique_key` that has not reached a terminal state, if any."""

    def find_live_by_unique_keys(self, unique_keys: Sequence[str]) -> dict[str, Task]:
        """The live holder of each key that has one, by key; an adapter may look all up at once."""
        found = {}
        for key in dict.fromkeys(unique_keys):
            task = self.find_live_by_unique_key(key)
            if task is not None:
                found[key] = task
        return found

    @abstractmethod
    def find_expired_leases(self, limit: int) -> list[Task]:
        """Up to `limit` running tasks whose lease ran out, by the storage's clock."""

    @abstractmethod
    def promote_due(self, limit: int) -> int:
        """Move up to `limit` due scheduled/retrying tasks to ready (storage's clock); how many."""

    @abstractmethod
    def prune(
        self, *, statuses: frozenset[TaskStatus], finished_before: datetime, limit: int
    ) -> int:
        """Delete up to `limit` tasks in these terminal statuses finished before the moment.

        Steps of a workflow run that still has an unfinished step are kept: a step after
        them may yet read their results.
        """

    @abstractmethod
    def expire_results(self, limit: int) -> int:
        """Drop up to `limit` results whose result_ttl ran out (storage's clock); how many.

        The tasks stay, marked result_expired, until the retention deletes them; steps of a
        workflow run that still has an unfinished step keep theirs.
        """

    @abstractmethod
    def prune_activity(self, before: datetime) -> int:
        """Delete the per-minute activity kept for the dashboard's charts before the moment.

        Returns how many rows went; a storage that keeps no such rollup returns 0.
        """

    @abstractmethod
    def extend_leases(
        self, worker_id: str, held: Collection[tuple[UUID, int]], lease: timedelta
    ) -> list[Task]:
        """Push to now + lease the leases of the worker's running tasks among `held`; return them.

        `held` names (task id, attempt) pairs: a task the worker runs under another attempt,
        or no longer holds at all, keeps its lease, so that it runs out and is rescued.
        """

    @abstractmethod
    def mark_started(self, worker_id: str, held: Collection[tuple[UUID, int]]) -> int:
        """Stamp the start of these attempts, where the worker still holds them; how many.

        Only running tasks under `worker_id` at the named attempt whose start is not yet
        stamped change, by the storage's clock.
        """

    @abstractmethod
    def record_progress(self, worker_id: str, reports: Sequence[tuple[UUID, int, Progress]]) -> int:
        """Store the (task id, attempt, progress) reports the worker still holds; how many.

        Fenced as every write of a running task: only a running task under `worker_id` at
        the named attempt changes; the storage's clock stamps each report's `at`.
        """

    @abstractmethod
    def transitions(self, task_id: UUID) -> list[TaskTransition]:
        """The task's recorded state transitions, oldest first (empty when there are none)."""

    @abstractmethod
    def list(self, task_filter: TaskFilter, page: PageRequest) -> Page[Task]:
        """Tasks matching the filter, newest enqueued first, one keyset page at a time."""

    @abstractmethod
    def count(self, task_filter: TaskFilter, *, up_to: int | None = None) -> int:
        """How many tasks match the filter, stopping at `up_to` when given.

        A full count is for confirmations; a page's total counts up to a cap, so its cost
        is bounded by the cap, not by the size of the table.
        """

    @abstractmethod
    def count_by_status(self, queue: str | None = None) -> dict[TaskStatus, int]:
        """How many tasks are in each status (every status present, zero included)."""


def attempts_by_worker(tasks: Iterable[Task]) -> dict[str, list[tuple[UUID, int]]]:
    """The (task id, attempt) pairs of these tasks, by the worker holding each (as
    mark_started takes them); tasks held by no worker are left out."""
    grouped: dict[str, list[tuple[UUID, int]]] = {}
    for task in tasks:
        if task.worker_id is not None:
            grouped.setdefault(task.worker_id, []).append((task.id, task.attempt))
    return grouped
