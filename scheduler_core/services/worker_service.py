"""The use cases of a worker process: register, claim, report outcomes, heartbeat, stop."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ..domain import (
    InvalidTransition,
    PageRequest,
    RetryPolicy,
    Task,
    TaskError,
    TaskFilter,
    TaskStatus,
    Worker,
    WorkerNotFound,
    WorkerState,
)
from ..domain.defaults import DEFAULT_LEASE
from ..domain.listing import MAX_PAGE_SIZE
from ..domain.ports import Clock, Queue, TaskRepository, WorkerRepository


class WorkerService:
    """Claims tasks for workers and stores what became of them, every write fenced.

    What it tracks: worker state, heartbeats and task leases, all in the repositories. What it
    does not: ``Worker.active_task_ids``, which the WorkerRepository port cannot write; the
    executor owns its slots. So claims are bounded by the stored worker's free slots and by
    the running tasks the task store says the worker holds, which is the truth after a crash.
    """

    def __init__(
        self,
        *,
        workers: WorkerRepository,
        tasks: TaskRepository,
        queue: Queue,
        clock: Clock,
        policy: RetryPolicy,
        rng: random.Random,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        if lease <= timedelta(0):
            raise ValueError("lease must be positive")
        self._workers = workers
        self._tasks = tasks
        self._queue = queue
        self._clock = clock
        self._policy = policy
        self._rng = rng
        self._lease = lease

    # -- lifecycle -------------------------------------------------------------------------

    def register(self, worker: Worker) -> Worker:
        """Validate and store a new worker, which starts in `starting` holding no tasks."""
        worker = replace(worker, state=WorkerState.STARTING, active_task_ids=set())
        worker.validate()
        self._workers.register(worker)
        return worker

    def start(self, worker_id: str) -> Worker:
        """The worker begins claiming."""
        return self._workers.set_state(worker_id, WorkerState.RUNNING)

    def drain(self, worker_id: str) -> Worker:
        """The worker finishes what it holds and claims nothing new."""
        return self._workers.set_state(worker_id, WorkerState.DRAINING)

    def stop(self, worker_id: str) -> Worker:
        """The worker has exited."""
        return self._workers.set_state(worker_id, WorkerState.STOPPED)

    def heartbeat(self, worker_id: str) -> list[Task]:
        """Stamp the worker, extend its leases and return its running tasks (cancel_requested)."""
        self._workers.heartbeat(worker_id)
        return self._tasks.extend_leases(worker_id, self._lease)

    def mark_stale_workers_stopped(self, ttl: timedelta) -> list[str]:
        """Declare workers silent for longer than `ttl` stopped; return their ids."""
        stopped = []
        for worker in self._workers.find_stale(ttl):
            try:
                self._workers.set_state(worker.id, WorkerState.STOPPED)
            except (WorkerNotFound, InvalidTransition):
                # Another process stopped or removed it first: its job is done either way.
                continue
            stopped.append(worker.id)
        # Their running tasks are not touched here: the rescuer takes them once leases expire.
        return stopped

    # -- tasks -----------------------------------------------------------------------------

    def claim(self, worker_id: str, limit: int) -> list[Task]:
        """Claim up to `limit` due tasks of the worker's queues, never more than its free slots."""
        worker = self._workers.get(worker_id)
        free = min(limit, worker.free_slots())
        if free > 0:
            # The stored worker does not know what it holds (see the class docstring); the
            # task store does, even after a crash.
            held = self._running_count(worker_id, worker.concurrency)
            free = min(free, worker.concurrency - held)
        if free <= 0:
            return []
        return self._queue.claim(worker_id, worker.queues, free, self._lease)

    def complete(self, task: Task, result: Any) -> Task:
        """Record the attempt's result; StaleTask if the worker lost the task meanwhile."""
        return self._fenced(task, lambda t, now: t.succeed(result, attempt=t.attempt, now=now))

    def fail(self, task: Task, error: BaseException | TaskError, *, retryable: bool = True) -> Task:
        """Record the attempt's error: retry after backoff while attempts remain, else fail."""

        def record(t: Task, now: datetime) -> None:
            failure = (
                error
                if isinstance(error, TaskError)
                else TaskError.from_exception(
                    error, attempt=t.attempt, failed_at=now, worker_id=t.worker_id
                )
            )
            t.fail(
                failure,
                attempt=t.attempt,
                now=now,
                policy=self._policy,
                rng=self._rng,
                retryable=retryable,
            )

        return self._fenced(task, record)

    def confirm_cancel(self, task: Task) -> Task:
        """The worker stopped the task it was asked to cancel."""
        return self._fenced(
            task,
            lambda t, now: t.cancel(now=now, attempt=t.attempt, actor=t.worker_id or "worker"),
        )

    # -- internals -------------------------------------------------------------------------

    def _fenced(self, task: Task, change: Callable[[Task, datetime], None]) -> Task:
        """Apply `change` to a copy and store it only if the attempt is still the current one."""
        # The caller's task stays as it was if the write is refused, so it can be reported on.
        changed = copy.deepcopy(task)
        change(changed, self._clock.now())
        self._tasks.update(
            changed, expected_status=TaskStatus.RUNNING, expected_attempt=task.attempt
        )
        return changed

    def _running_count(self, worker_id: str, enough: int) -> int:
        """How many running tasks the store holds for the worker, counting up to `enough`."""
        held_filter = TaskFilter(statuses=frozenset({TaskStatus.RUNNING}), worker_id=worker_id)
        held = 0
        page = PageRequest(limit=min(enough, MAX_PAGE_SIZE))
        while True:
            found = self._tasks.list(held_filter, page)
            held += len(found.items)
            if found.next_cursor is None or held >= enough:
                return held
            page = PageRequest(limit=min(enough - held, MAX_PAGE_SIZE), after=found.next_cursor)
