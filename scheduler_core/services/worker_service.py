"""The use cases of a worker process: register, claim, report outcomes, heartbeat, stop."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from ..domain import (
    InvalidTransition,
    QueueEmpty,
    RetryPolicy,
    StaleTask,
    Task,
    TaskError,
    TaskStatus,
    Worker,
    WorkerLoad,
    WorkerNotFound,
    WorkerState,
)
from ..domain.defaults import DEFAULT_LEASE
from ..domain.ports import Clock, Queue, TaskRepository, WorkerRepository
from ..domain.progress import Progress


class WorkerService:
    """Claims tasks for workers and stores what became of them, every write fenced.

    The repositories hold worker states, heartbeats and task leases. Free slots are not
    stored: the executor that runs the tasks is the authority on them, so it asks for as many
    as it has free, and a claim reads nothing before it takes (it is the hot path).
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

    def heartbeat(
        self,
        worker_id: str,
        held: Collection[tuple[UUID, int]],
        load: WorkerLoad | None = None,
    ) -> list[Task]:
        """Stamp the worker and extend the leases of the attempts it holds; return those tasks.

        `held` is the (task id, attempt) pairs the worker's executor still has (running, or
        claimed and waiting for a slot). Only these are extended, and returned with their
        cancel requests: a task stored as running under the worker but no longer held (its
        outcome could not be written) keeps its lease, which runs out, and is rescued.
        """
        self._workers.heartbeat(worker_id, load)
        return self._tasks.extend_leases(worker_id, held, self._lease)

    def mark_started(self, worker_id: str, held: Collection[tuple[UUID, int]]) -> int:
        """Record that the code of these held attempts began to run; how many rows changed.

        From then on losing the attempt costs it (see Task.rescue); before, a lost claim is
        given back. Attempts no longer held by `worker_id` are left alone.
        """
        return self._tasks.mark_started(worker_id, held)

    def mark_stale_workers_dead(self, ttl: timedelta) -> list[str]:
        """Declare workers silent for longer than `ttl` dead; return their ids."""
        dead = []
        for worker in self._workers.find_stale(ttl):
            try:
                self._workers.set_state(worker.id, WorkerState.DEAD)
            except (WorkerNotFound, InvalidTransition):
                # Another process declared it first, or it stopped meanwhile: either way done.
                continue
            dead.append(worker.id)
        # Their running tasks are not touched here: the rescuer takes them once leases expire.
        return dead

    def list_workers(self) -> list[Worker]:
        """Every known worker, newest first."""
        return self._workers.list_all()

    def get_worker(self, worker_id: str) -> Worker:
        """The worker with this id; WorkerNotFound if there is none."""
        return self._workers.get(worker_id)

    # -- tasks -----------------------------------------------------------------------------

    def claim(self, worker: Worker, limit: int, *, prefetch: int = 0) -> list[Task]:
        """Claim up to `limit` due tasks of the worker's queues.

        Never more than its concurrency plus `prefetch`, the tasks it may hold in a local
        buffer (their leases are extended by its heartbeat like those of running ones).
        """
        free = min(limit, worker.concurrency + max(0, prefetch))
        if free < 1:
            return []
        return self._queue.claim(worker.id, worker.queues, free, self._lease)

    def claim_waiting(self, worker: Worker, *, timeout: float) -> Task | None:
        """Claim one task of the worker's queues, waiting up to `timeout` s; None if none came."""
        try:
            return self._queue.dequeue(worker.id, worker.queues, self._lease, timeout)
        except QueueEmpty:
            return None

    def wait_for_work(self, worker: Worker, *, timeout: float) -> None:
        """Sleep until work may have come for the worker's queues, or `timeout` s passed."""
        self._queue.wait_for_work(worker.queues, timeout)

    def complete(self, task: Task, result: Any) -> Task:
        """Record the attempt's result; StaleTask if the worker lost the task meanwhile."""
        return self._fenced(task, lambda t, now: t.succeed(result, attempt=t.attempt, now=now))

    def complete_many(self, finished: Sequence[tuple[Task, Any]]) -> list[Task]:
        """Record many attempts' results, fenced, with one clock reading; the stale ones.

        The tasks returned were no longer their attempt's (StaleTask for each): nothing of
        them was stored. The others are stored, set-based where the storage can.
        """
        return self.complete_round(finished, ())

    def complete_round(
        self, finished: Sequence[tuple[Task, Any]], started: Sequence[Task]
    ) -> list[Task]:
        """As complete_many, and stamp the starts of `started` (as mark_started) with it:
        an outcome writer's round, in one transaction (one statement where the storage can).
        """
        if not finished:
            if started:
                self._tasks.finish_round(started, [])
            return []
        now = self._clock.now()
        changed = []
        for task, result in finished:
            # A shallow copy with its own transition list is enough: succeed() only sets
            # fields and logs a transition. The caller's task stays as it was.
            copied = replace(task, pending_transitions=[])
            copied.succeed(result, attempt=task.attempt, now=now)
            changed.append(copied)
        stored = self._tasks.finish_round(started, changed)
        stale = []
        for task, result in finished:
            if task.id in stored:
                continue
            # Refused: lost, or an operator asked to cancel meanwhile; decide one by one.
            try:
                self.complete(task, result)
            except StaleTask:
                stale.append(task)
        return stale

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
            self._record_failure(t, failure, now, retryable)

        return self._fenced(task, record)

    def fail_attempt(
        self,
        task: Task,
        *,
        exception_type: str,
        message: str,
        traceback: str = "",
        retryable: bool = True,
        retry_in: float | None = None,
        discarded: bool = False,
    ) -> Task:
        """Record a failure reported by name (as a slot process does), stamped by our clock.

        `retry_in` (seconds) replaces the backoff when the task's own retry policy chose it;
        `discarded` fails the task for good at once (scheduler_core.Discard).
        """
        delay = None if retry_in is None else timedelta(seconds=retry_in)

        def record(t: Task, now: datetime) -> None:
            failure = TaskError(
                attempt=t.attempt,
                exception_type=exception_type,
                message=message,
                traceback=traceback,
                failed_at=now,
                worker_id=t.worker_id,
            )
            if discarded:
                t.discard(failure, attempt=t.attempt, now=now)
            else:
                self._record_failure(t, failure, now, retryable, delay)

        return self._fenced(task, record)

    def snooze(self, task: Task, seconds: float) -> Task:
        """The attempt asked to run again in `seconds` without using up an attempt."""
        return self._fenced(task, lambda t, now: t.snooze(seconds, attempt=t.attempt, now=now))

    def record_progress(self, worker_id: str, reports: Sequence[tuple[UUID, int, Progress]]) -> int:
        """Store the progress the worker's running attempts reported; how many were its own."""
        return self._tasks.record_progress(worker_id, reports)

    def _record_failure(
        self,
        t: Task,
        failure: TaskError,
        now: datetime,
        retryable: bool,
        delay: timedelta | None = None,
    ) -> None:
        t.fail(
            failure,
            attempt=t.attempt,
            now=now,
            policy=self._policy,
            rng=self._rng,
            retryable=retryable,
            delay=delay,
        )

    def confirm_cancel(self, task: Task) -> Task:
        """The worker stopped the task it was asked to cancel."""
        return self._fenced(
            task,
            lambda t, now: t.cancel(now=now, attempt=t.attempt, actor=t.worker_id or "worker"),
        )

    def release(self, task: Task) -> Task:
        """Hand back a task the worker cannot finish: its lease ends now, for the next rescue."""
        # Read afresh rather than write the worker's copy back: that copy may predate an
        # operator's cancel request, which must survive so that the rescue cancels the task.
        return self._release(self._tasks.get(task.id), task)

    def hand_back(self, task: Task) -> Task:
        """Give back a claim whose code never began: ready again at once, no attempt used.

        Where the stored attempt did begin, or a cancel was asked meanwhile (Task.hand_back
        refuses both), it is released instead, and the rescue decides as for any lost lease.
        """
        current = self._tasks.get(task.id)
        if not _same_attempt(current, task):
            return self._release(current, task)
        try:
            current.hand_back(attempt=task.attempt, now=self._clock.now())
        except InvalidTransition:
            return self._release(current, task)
        try:
            self._store_fenced(current, task)
        except StaleTask:
            # A cancel asked after the read (the update keeps it): release, read afresh.
            return self.release(task)
        return current

    # -- internals -------------------------------------------------------------------------

    def _release(self, current: Task, task: Task) -> Task:
        """release() of `task`, its stored row `current` already read."""
        if not _same_attempt(current, task):
            raise StaleTask(
                f"attempt {task.attempt} of task {task.id} by {task.worker_id} is no longer "
                f"running; the task is {current.status} at attempt {current.attempt}"
            )
        current.extend_lease(attempt=task.attempt, now=self._clock.now(), lease=timedelta(0))
        self._store_fenced(current, task)
        return current

    def _store_fenced(self, changed: Task, held: Task) -> None:
        """Store `changed` only while `held`'s attempt still runs under its holder (StaleTask)."""
        self._tasks.update(
            changed,
            expected_status=TaskStatus.RUNNING,
            expected_attempt=held.attempt,
            expected_worker=held.worker_id,
        )

    def _fenced(self, task: Task, change: Callable[[Task, datetime], None]) -> Task:
        """Apply `change` to a copy and store it only if the attempt is still the current one."""
        now = self._clock.now()
        # The caller's task stays as it was if the write is refused, so it can be reported on.
        changed = copy.deepcopy(task)
        change(changed, now)
        try:
            self._store_fenced(changed, task)
        except StaleTask:
            # Still ours, but an operator asked to cancel after the worker's copy was read:
            # decide again from the stored task, so the request is honoured, not overwritten.
            current = self._tasks.get(task.id)
            if not _same_attempt(current, task):
                raise
            change(current, now)
            self._tasks.update(
                current,
                expected_status=TaskStatus.RUNNING,
                expected_attempt=task.attempt,
                expected_worker=task.worker_id,
            )
            return current
        return changed


def _same_attempt(stored: Task, held: Task) -> bool:
    """True while the stored task still runs the attempt `held` names, under the same holder."""
    return (stored.status, stored.attempt, stored.worker_id) == (
        TaskStatus.RUNNING,
        held.attempt,
        held.worker_id,
    )
