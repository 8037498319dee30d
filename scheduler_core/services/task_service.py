"""The operator- and client-facing use cases: submit, cancel, retry, run now, inspect."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ..domain import (
    DuplicateTask,
    InvalidTransition,
    Page,
    PageRequest,
    Task,
    TaskFilter,
    TaskInvalid,
    TaskStatus,
    TaskTransition,
)
from ..domain.ports import (
    Admit,
    Clock,
    Queue,
    Scheduler,
    SubmitRequest,
    Submitted,
    TaskCatalog,
    TaskRepository,
)
from ..domain.queue_limits import check_queue_limit
from ..domain.queue_names import check_queue_name
from ..domain.queue_rates import QueueRate
from .optimistic import change_task
from .submission import build_batch, build_task, check_registered_call


class TaskService(Scheduler):
    """Submits and steers tasks through the ports; knows no storage or web framework."""

    def __init__(
        self, *, tasks: TaskRepository, queue: Queue, catalog: TaskCatalog, clock: Clock
    ) -> None:
        self._tasks = tasks
        self._queue = queue
        self._catalog = catalog
        self._clock = clock

    # -- submitting ------------------------------------------------------------------------

    def submit(self, request: SubmitRequest, *, admit: Admit | None = None) -> Submitted:
        """Validate and store a task, or find the live task already holding its unique key.

        Every door submits here (the dashboard form, the JSON API, `.enqueue()` and schedule
        firings), so a submit is judged once, by build_task. `admit` runs once the request
        passed every check and before anything is stored.
        """
        due_now = request.run_after is None
        # Due at once: the storage stamps enqueued_at and run_after with its own clock as it
        # writes the row, which saves a database round trip for reading that clock first.
        # Until then the task carries the host's time, only for validation.
        now = datetime.now(UTC) if due_now else self._clock.now()
        task = build_task(self._catalog, request, now=now)
        if admit is not None:
            admit()
        live = self._live_holder(task)
        if live is not None:
            return Submitted(live, created=False)
        try:
            if due_now:
                # True when the write itself woke the claimers (PostgreSQL's NOTIFY).
                announced = self._tasks.add_now(task)
            else:
                self._tasks.add(task)
                announced = False
        except DuplicateTask:
            # Another submitter stored the same unique key between our look and our write;
            # theirs is the task the caller wants. A clash of ids is a real error.
            live = self._live_holder(task)
            if live is None:
                raise
            return Submitted(live, created=False)
        if not announced:
            self._queue.enqueue(task)
        return Submitted(task, created=True)

    def submit_many(
        self, requests: Sequence[SubmitRequest], *, admit: Admit | None = None
    ) -> builtins.list[Task]:
        """Submit all requests or none; one task per request, in order, unique keys shared."""
        built = build_batch(self._catalog, requests, now=self._clock.now())
        if admit is not None:
            admit()
        resolved, new = self._plan_batch(built)
        try:
            self._add_all(new)
        except DuplicateTask:
            # A concurrent submitter took one of our unique keys since we looked: look again,
            # once. A second clash, or a clash of ids, goes to the caller.
            keys = [task.unique_key for task in new if task.unique_key is not None]
            if not self._tasks.find_live_by_unique_keys(keys):
                raise
            resolved, new = self._plan_batch(built)
            self._add_all(new)
        self._queue.enqueue_many(new)
        return resolved

    def check_call(self, name: str, args: builtins.list[Any], kwargs: dict[str, Any]) -> None:
        """Raise UnknownTask or TaskInvalid unless a typed call fits task `name`'s signature.

        For a form that shows every mistake at once: when its other fields are wrong no submit
        is made, and this says whether the call is wrong too.
        """
        check_registered_call(self._catalog, name, args, kwargs)

    # -- operator actions ------------------------------------------------------------------

    def cancel(self, task_id: UUID, *, actor: str = "system") -> Task:
        """Cancel a waiting task at once; ask the worker of a running one to stop it."""

        def decide(task: Task) -> None:
            now = self._clock.now()
            if task.status is TaskStatus.RUNNING:
                task.request_cancel(now=now, actor=actor)
            elif task.status.is_waiting or task.status is TaskStatus.BLOCKED:
                task.cancel(now=now, actor=actor)
            else:
                raise InvalidTransition(
                    f"task {task.id} is already {task.status}; "
                    "only waiting or running tasks can be cancelled"
                )

        return change_task(self._tasks, task_id, decide)

    def retry(self, task_id: UUID, *, actor: str = "system") -> Task:
        """Run a failed or cancelled task again."""
        task = change_task(
            self._tasks, task_id, lambda t: t.retry_now(now=self._clock.now(), actor=actor)
        )
        self._queue.enqueue(task)
        return task

    def run_now(self, task_id: UUID, *, actor: str = "system") -> Task:
        """Make a scheduled or backing-off task due at once."""
        task = change_task(
            self._tasks, task_id, lambda t: t.run_now(now=self._clock.now(), actor=actor)
        )
        self._queue.enqueue(task)
        return task

    def delete(self, task_id: UUID) -> Task:
        """Remove a finished task and its history; InvalidTransition if it is not finished."""
        task = self._tasks.get(task_id)
        if not task.status.is_terminal:
            raise InvalidTransition(
                f"task {task.id} is {task.status}; only finished tasks can be deleted"
            )
        # Not fenced: a retry landing between the read and the delete would be lost with the
        # row. Deletion is a rare admin action on tasks nobody is watching any more.
        self._tasks.delete(task_id)
        return task

    def pause_queue(self, queue: str) -> bool:
        """Stop workers claiming from `queue` (running tasks go on); False if already paused."""
        check_queue_name(queue)
        return self._queue.pause(queue)

    def resume_queue(self, queue: str) -> bool:
        """Let workers claim from `queue` again; False if it was not paused."""
        check_queue_name(queue)
        return self._queue.resume(queue)

    def paused_queues(self) -> frozenset[str]:
        """The names of the paused queues."""
        return self._queue.paused()

    def set_queue_limit(self, queue: str, limit: int | None) -> int | None:
        """Let at most `limit` tasks of `queue` run at once across all workers; None lifts it.

        Tasks already running above a lowered limit go on; claims wait until they drop below.
        Returns the limit it replaced (None when the queue had none).
        """
        check_queue_name(queue)
        try:
            check_queue_limit(limit)
        except ValueError as error:
            raise TaskInvalid("limit", str(error)) from None
        return self._queue.set_limit(queue, limit)

    def queue_limits(self) -> dict[str, int]:
        """The limited queues and their concurrency limits."""
        return self._queue.limits()

    def set_queue_rate(self, queue: str, rate: QueueRate | None) -> QueueRate | None:
        """Let at most `rate` tasks of `queue` start across all workers; None lifts it.

        Tasks already running go on; a new rate starts with a full bucket (a burst of
        `limit` starts). Returns the rate it replaced (None when the queue had none).
        """
        check_queue_name(queue)
        return self._queue.set_rate(queue, rate)

    def queue_rates(self) -> dict[str, QueueRate]:
        """The rated queues and their rates."""
        return self._queue.rates()

    # -- inspecting ------------------------------------------------------------------------

    def status(self, task_id: UUID) -> Task:
        """The task as stored now; TaskNotFound if there is none."""
        return self._tasks.get(task_id)

    def list(self, task_filter: TaskFilter, page: PageRequest) -> Page[Task]:
        """Tasks matching the filter, newest first, a keyset page at a time."""
        return self._tasks.list(task_filter, page)

    def count(self, task_filter: TaskFilter, *, up_to: int | None = None) -> int:
        """How many tasks match the filter (uncapped, a full count: keep it off hot pages)."""
        return self._tasks.count(task_filter, up_to=up_to)

    def transitions(self, task_id: UUID) -> builtins.list[TaskTransition]:
        """The task's state transitions, oldest first: its timeline."""
        return self._tasks.transitions(task_id)

    def counts(self, queue: str | None = None) -> dict[TaskStatus, int]:
        """How many tasks are in each status."""
        return self._tasks.count_by_status(queue)

    # -- internals -------------------------------------------------------------------------

    def _live_holder(self, task: Task) -> Task | None:
        if task.unique_key is None:
            return None
        return self._tasks.find_live_by_unique_key(task.unique_key)

    def _plan_batch(self, built: Sequence[Task]) -> tuple[builtins.list[Task], builtins.list[Task]]:
        """The task each request resolves to, and the new tasks among them to store."""
        resolved: builtins.list[Task] = []
        new: builtins.list[Task] = []
        keys = [task.unique_key for task in built if task.unique_key is not None]
        # One look-up for the whole batch; a batch without keys needs none.
        holders = self._tasks.find_live_by_unique_keys(keys) if keys else {}
        for task in built:
            key = task.unique_key
            if key is None:
                new.append(task)
                resolved.append(task)
                continue
            if key not in holders:
                new.append(task)
                holders[key] = task
            resolved.append(holders[key])
        return resolved, new

    def _add_all(self, tasks: Sequence[Task]) -> None:
        if tasks:
            self._tasks.add_many(tasks)
