"""The Task entity: what to run, with which arguments, and where it is in its lifecycle."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from .defaults import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_QUEUE,
    MAX_ATTEMPTS_LIMIT,
    MAX_DROPPED_CLAIMS,
    MAX_SNOOZE_SECONDS,
    MAX_SNOOZES,
)
from .errors import InvalidTransition, StaleTask
from .json_values import check_json_value
from .progress import Progress
from .records import (
    CLAIM_DROPPED,
    DISCARDED,
    PARENTS_SUCCEEDED,
    REARMED,
    SNOOZED,
    TOO_MANY_SNOOZES,
    UPSTREAM_FAILED,
    WORKER_LOST,
    WORKFLOW,
    TaskError,
    TaskTransition,
)
from .retry import RetryPolicy
from .status import TaskStatus
from .task_ids import new_task_id
from .task_validation import validate_task

# The waiting states the promoter moves to ready once due, and what its transitions record.
PROMOTABLE_STATUSES = frozenset({TaskStatus.SCHEDULED, TaskStatus.RETRYING})
PROMOTER = "promoter"
PROMOTED = "due"


@dataclass(slots=True, kw_only=True)
class Task:
    """A unit of work and its lifecycle; transitions are methods that refuse illegal moves."""

    name: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    queue: str = DEFAULT_QUEUE
    priority: int = 0
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    run_after: datetime
    enqueued_at: datetime
    id: UUID = field(default_factory=new_task_id)
    status: TaskStatus = TaskStatus.READY
    attempt: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    worker_id: str | None = None
    worker_ids: list[str] = field(default_factory=list)
    lease_expires_at: datetime | None = None
    result: Any = None
    errors: list[TaskError] = field(default_factory=list)
    timeout: float | None = None
    unique_key: str | None = None
    cancel_requested: bool = False
    # When the current attempt's code began to run (None while the claim waits to start): a
    # claim lost before that is given back by the rescue instead of costing an attempt.
    attempt_started_at: datetime | None = None
    # How many claims were given back so (see MAX_DROPPED_CLAIMS).
    dropped_claims: int = 0
    # The workflow run this task is a step of, and its key there (both None for a plain task).
    workflow_id: UUID | None = None
    step_key: str | None = None
    # While blocked: how many of the steps it comes after have yet to succeed.
    parents_left: int = 0
    # The key of the step whose failure cancelled this one; a retry of that step re-arms it.
    upstream_failed: str | None = None
    # Labels to find the task by: its definition's, then its submit's (domain/tags.py).
    tags: list[str] = field(default_factory=list)
    # Seconds the result is kept once the task finished; None keeps it until retention.
    result_ttl: int | None = None
    # True once the pruner dropped the result because result_ttl ran out.
    result_expired: bool = False
    # When the first attempt was claimed (django.tasks' started_at); started_at is the latest's.
    first_started_at: datetime | None = None
    # The run_after its submitter asked for (None: due at once); retries move run_after.
    requested_run_after: datetime | None = None
    # How often the task snoozed (scheduler_core.Snooze); capped by MAX_SNOOZES.
    snoozes: int = 0
    # The latest progress its running code reported, if any.
    progress: Progress | None = None
    # Transitions made since the task was loaded; a repository stores and clears them.
    pending_transitions: list[TaskTransition] = field(default_factory=list, compare=False)

    @classmethod
    def create(
        cls,
        name: str,
        *,
        now: datetime,
        args: list[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
        queue: str = DEFAULT_QUEUE,
        priority: int = 0,
        run_after: datetime | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        timeout: float | None = None,
        unique_key: str | None = None,
        id: UUID | None = None,
        tags: list[str] | None = None,
        result_ttl: int | None = None,
    ) -> Task:
        """A new, validated task: scheduled when run_after lies ahead of now, else ready."""
        task = cls(
            id=id or new_task_id(),
            name=name,
            args=[] if args is None else args,
            kwargs={} if kwargs is None else kwargs,
            queue=queue,
            priority=priority,
            run_after=now if run_after is None else run_after,
            enqueued_at=now,
            max_attempts=max_attempts,
            timeout=timeout,
            unique_key=unique_key,
            tags=[] if tags is None else tags,
            result_ttl=result_ttl,
            requested_run_after=run_after,
        )
        task.validate()
        if task.run_after > now:
            task.status = TaskStatus.SCHEDULED
        return task

    def stamp_enqueued(self, at: datetime) -> None:
        """Enqueued and due at `at`, the time a storage stamped on writing a new task due at once.

        A storage that reads its own clock as it writes the row saves the round trip of
        reading that clock first; the task was built against a provisional time until then.
        """
        if not self.is_new_and_due_at_once():
            raise InvalidTransition("only a new task due at once takes the storage's time")
        self.enqueued_at = at
        self.run_after = at

    def hold_for_parents(self, workflow_id: UUID, step_key: str, parents: int) -> None:
        """Make this new task a step of a workflow run, blocked until `parents` steps succeed.

        With no parents the step is a root and keeps the state create() gave it.
        """
        if self.pending_transitions or self.attempt or self.status.is_terminal:
            raise InvalidTransition("only a new task becomes a workflow step")
        if parents < 0:
            raise InvalidTransition("a step cannot wait for a negative number of parents")
        self.workflow_id = workflow_id
        self.step_key = step_key
        self.parents_left = parents
        if parents:
            self.status = TaskStatus.BLOCKED

    # -- questions -------------------------------------------------------------------------

    def validate(self) -> None:
        """Raise TaskInvalid naming the first field that breaks a rule."""
        validate_task(self)

    def is_new_and_due_at_once(self) -> bool:
        """True for a task just created without a run_after: ready, never run, due on arrival."""
        return (
            self.status is TaskStatus.READY
            and self.attempt == 0
            and self.run_after == self.enqueued_at
            and not self.errors
            and not self.pending_transitions
        )

    def is_terminal(self) -> bool:
        """True once the task succeeded, failed for good or was cancelled."""
        return self.status.is_terminal

    def can_retry(self) -> bool:
        """True while a failure of the current attempt would lead to another attempt."""
        return self.attempt < self.max_attempts and not self.cancel_requested

    def is_due(self, now: datetime) -> bool:
        """True when the task waits for a worker and its run_after has come."""
        return self.status.is_waiting and self.run_after <= now

    def lease_expired(self, now: datetime) -> bool:
        """True when the task runs under a lease that has run out."""
        return (
            self.status is TaskStatus.RUNNING
            and self.lease_expires_at is not None
            and self.lease_expires_at <= now
        )

    # -- worker transitions ----------------------------------------------------------------

    def claim(self, worker_id: str, *, now: datetime, lease: timedelta) -> None:
        """A worker takes the due task: running, next attempt, lease until now + lease."""
        if not self.status.is_waiting:
            raise InvalidTransition(f"cannot claim a {self.status} task")
        if self.run_after > now:
            raise InvalidTransition(f"task is not due before {self.run_after.isoformat()}")
        self.attempt += 1
        self.worker_id = worker_id
        self.worker_ids.append(worker_id)
        self.started_at = now
        if self.first_started_at is None:
            self.first_started_at = now
        self.finished_at = None
        self.lease_expires_at = now + lease
        self.attempt_started_at = None
        self._move(TaskStatus.RUNNING, now, actor=worker_id)

    def mark_started(self, *, attempt: int, now: datetime) -> None:
        """The worker holding `attempt` began to run its code: from now on it costs an attempt."""
        self._require_running(attempt, "start")
        if self.attempt_started_at is None:
            self.attempt_started_at = now

    def extend_lease(self, *, attempt: int, now: datetime, lease: timedelta) -> None:
        """The worker running `attempt` is alive: push the lease to now + lease."""
        self._require_running(attempt, "extend the lease of")
        self.lease_expires_at = now + lease

    def succeed(self, result: Any, *, attempt: int, now: datetime) -> None:
        """The attempt returned `result` (JSON): the task is done."""
        self._require_running(attempt, "complete")
        check_json_value(result, "result")
        self.result = result
        self._finish(TaskStatus.SUCCEEDED, now, actor=self.worker_id or "worker")

    def fail(
        self,
        error: TaskError,
        *,
        attempt: int,
        now: datetime,
        policy: RetryPolicy,
        rng: random.Random,
        retryable: bool = True,
        delay: timedelta | None = None,
    ) -> None:
        """The attempt raised: retry after the backoff if attempts remain, else fail for good.

        `delay` replaces the policy's backoff (a task's own retry policy decided it).
        """
        self._require_running(attempt, "fail")
        self._record_failure(
            error, now, policy, rng, retryable, actor=self.worker_id or "worker", delay=delay
        )

    def discard(self, error: TaskError, *, attempt: int, now: datetime) -> None:
        """The attempt gave up for good (scheduler_core.Discard): failed at once, no retry."""
        self._require_running(attempt, "discard")
        self.errors.append(error)
        actor = self.worker_id or "worker"
        if self.cancel_requested:
            self._finish(TaskStatus.CANCELLED, now, actor=actor, reason=error.exception_type)
        else:
            reason = f"{DISCARDED}: {error.message}" if error.message else DISCARDED
            self._finish(TaskStatus.FAILED, now, actor=actor, reason=reason)

    def snooze(self, seconds: float, *, attempt: int, now: datetime) -> None:
        """The attempt asked to wait `seconds` and run again, without using up an attempt.

        The attempt number goes back down, as when a lost claim is given back: the write is
        fenced by the attempt and its holder, and it is that attempt's last write, so a later
        claim under the same number is a new attempt that no write of the old one can reach.
        Past MAX_SNOOZES snoozes the task fails for good instead, saying why.
        """
        self._require_running(attempt, "snooze")
        actor = self.worker_id or "worker"
        if not 0 <= seconds <= MAX_SNOOZE_SECONDS:
            raise InvalidTransition(
                f"a snooze lasts from 0 to {MAX_SNOOZE_SECONDS} seconds, not {seconds!r}"
            )
        if self.cancel_requested:
            self._finish(TaskStatus.CANCELLED, now, actor=actor, reason=SNOOZED)
            return
        if self.snoozes >= MAX_SNOOZES:
            message = f"snoozed {self.snoozes} times, the most a task may (MAX_SNOOZES)"
            self.errors.append(
                TaskError(
                    attempt=self.attempt,
                    exception_type=TOO_MANY_SNOOZES,
                    message=message,
                    traceback="",
                    failed_at=now,
                    worker_id=self.worker_id,
                )
            )
            self._finish(
                TaskStatus.FAILED, now, actor=actor, reason=f"{TOO_MANY_SNOOZES}: {message}"
            )
            return
        self.snoozes += 1
        self.run_after = now + timedelta(seconds=seconds)
        self._move(TaskStatus.SCHEDULED, now, actor=actor, reason=f"{SNOOZED} for {seconds:g}s")
        self.attempt -= 1
        if self.worker_ids:
            self.worker_ids.pop()
        self.worker_id = None
        self.lease_expires_at = None
        self.attempt_started_at = None

    def report_progress(self, progress: Progress, *, attempt: int) -> None:
        """The running attempt reported how far it has come."""
        self._require_running(attempt, "report progress of")
        self.progress = progress

    def hand_back(self, *, attempt: int, now: datetime) -> None:
        """The holder gives back a claim whose code never began (a drain, a quiet, a stop).

        Ready again at once, the attempt number as before, as the rescue gives back a claim
        lost with its worker; but not counted against MAX_DROPPED_CLAIMS, which stops a task
        that takes whole workers down as it starts from circling for ever. A worker that
        hands a claim back on its way out says nothing about the task, and a task that waits
        in the buffers of many draining workers must not lose attempts for it.
        """
        self._require_running(attempt, "hand back")
        if self.attempt_started_at is not None:
            raise InvalidTransition("the attempt began: only the rescue decides what it cost")
        if self.cancel_requested:
            raise InvalidTransition("a cancel was asked: the rescue cancels the task instead")
        reason = f"{CLAIM_DROPPED} (worker {self.worker_id} handed it back unstarted)"
        self._give_back(now, actor=self.worker_id or "worker", reason=reason)

    def rescue(self, *, now: datetime, policy: RetryPolicy, rng: random.Random) -> None:
        """The lease ran out without an outcome: treat the attempt as lost.

        An attempt whose code never started (the claim waited in a worker that then paused,
        was cut off or was killed) is given back instead: the attempt number goes down again
        and the task is ready at once. Fencing stays sound because every write of a running
        task also names its holder, and the lost holder never comes back under its old id.
        """
        if not self.lease_expired(now):
            raise InvalidTransition(f"cannot rescue a {self.status} task whose lease holds")
        if (
            self.attempt_started_at is None
            and self.dropped_claims < MAX_DROPPED_CLAIMS
            and not self.cancel_requested
        ):
            reason = f"{CLAIM_DROPPED} (worker {self.worker_id} lost its lease)"
            self._give_back(now, actor="rescuer", reason=reason)
            self.dropped_claims += 1
            return
        error = TaskError(
            attempt=self.attempt,
            exception_type=WORKER_LOST,
            message=(
                f"worker {self.worker_id} stopped renewing its lease, which expired at "
                f"{self.lease_expires_at.isoformat() if self.lease_expires_at else '?'}"
            ),
            traceback="",
            failed_at=now,
            worker_id=self.worker_id,
        )
        self._record_failure(error, now, policy, rng, retryable=True, actor="rescuer")

    def promote(self, *, now: datetime) -> None:
        """A scheduled or backing-off task whose run_after has come shows as ready."""
        if self.status not in PROMOTABLE_STATUSES:
            raise InvalidTransition(f"cannot promote a {self.status} task")
        if self.run_after > now:
            raise InvalidTransition(f"task is not due before {self.run_after.isoformat()}")
        # run_after stays: it orders claims, and the task has waited since then, not since now.
        self._move(TaskStatus.READY, now, actor=PROMOTER, reason=PROMOTED)

    # -- workflow transitions --------------------------------------------------------------

    def release(self, *, now: datetime) -> None:
        """Every step this one waits for succeeded (or failed, where ignored): ready now."""
        if self.status is not TaskStatus.BLOCKED:
            raise InvalidTransition(f"cannot release a {self.status} task")
        self.parents_left = 0
        self.run_after = now
        self._move(TaskStatus.READY, now, actor=WORKFLOW, reason=PARENTS_SUCCEEDED)

    def cancel_upstream(self, key: str, *, now: datetime) -> None:
        """A step this one waits for failed for good or was cancelled: cancel it, naming `key`."""
        if self.status is not TaskStatus.BLOCKED:
            raise InvalidTransition(f"cannot cancel a {self.status} task for its upstream")
        self.upstream_failed = key
        self._finish(TaskStatus.CANCELLED, now, actor=WORKFLOW, reason=f"{UPSTREAM_FAILED}: {key}")

    def rearm(self, *, parents: int, now: datetime, actor: str = WORKFLOW) -> None:
        """The failed step that cancelled this one is retried: wait for `parents` steps again."""
        if self.status is not TaskStatus.CANCELLED or self.upstream_failed is None:
            raise InvalidTransition(f"cannot re-arm a {self.status} task not cancelled upstream")
        if parents < 1:
            raise InvalidTransition("a re-armed step waits for at least its retried parent")
        self.upstream_failed = None
        self.parents_left = parents
        self.finished_at = None
        self._move(TaskStatus.BLOCKED, now, actor=actor, reason=REARMED)

    # -- operator transitions --------------------------------------------------------------

    def cancel(self, *, now: datetime, attempt: int | None = None, actor: str = "system") -> None:
        """Stop the task: a waiting one at once; a running one when its worker confirms."""
        if self.status is TaskStatus.RUNNING:
            if attempt is None:
                raise InvalidTransition("a running task is cancelled by request_cancel")
            self._require_running(attempt, "cancel")
        elif not (self.status.is_waiting or self.status is TaskStatus.BLOCKED):
            raise InvalidTransition(f"cannot cancel a {self.status} task")
        self._finish(TaskStatus.CANCELLED, now, actor=actor, reason="cancelled")

    def request_cancel(self, *, now: datetime, actor: str = "system") -> None:
        """Ask the worker running the task to stop it; idempotent."""
        if self.status is not TaskStatus.RUNNING:
            raise InvalidTransition(f"cannot request cancel of a {self.status} task")
        if not self.cancel_requested:
            self.cancel_requested = True
            self._log(self.status, self.status, now, actor=actor, reason="cancel requested")

    def run_now(self, *, now: datetime, actor: str = "system") -> None:
        """Make a scheduled or backing-off task due at once."""
        if self.status not in (TaskStatus.SCHEDULED, TaskStatus.RETRYING):
            raise InvalidTransition(f"cannot run a {self.status} task now")
        self.run_after = now
        self._move(TaskStatus.READY, now, actor=actor, reason="run now")

    def retry_now(self, *, now: datetime, actor: str = "system") -> None:
        """Run a failed or cancelled task again, granting one more attempt if it had none left."""
        if self.status not in (TaskStatus.FAILED, TaskStatus.CANCELLED):
            raise InvalidTransition(f"cannot retry a {self.status} task")
        if self.upstream_failed is not None:
            # Run alone it would miss its parents' results: retry the step that failed.
            raise InvalidTransition(
                f"cancelled because step {self.upstream_failed!r} failed; retry that step"
            )
        # Another attempt would need max_attempts above the limit that validate() enforces.
        if self.attempt >= MAX_ATTEMPTS_LIMIT:
            raise InvalidTransition(f"task made {self.attempt} attempts, the most a task may make")
        # Attempt numbers only grow, so a worker that lost an old attempt stays fenced out.
        self.max_attempts = max(self.max_attempts, self.attempt + 1)
        self.run_after = now
        self.finished_at = None
        self.cancel_requested = False
        self.result = None
        self.result_expired = False
        self._move(TaskStatus.READY, now, actor=actor, reason="retried")

    def expire_result(self, *, now: datetime) -> None:
        """Drop the result of a task that finished result_ttl seconds ago or more.

        Bookkeeping, not a move: the status and the timeline stay as they are.
        """
        if not self.status.is_terminal or self.finished_at is None:
            raise InvalidTransition(f"a {self.status} task has no result to expire")
        if self.result_ttl is None or self.result_expired:
            raise InvalidTransition("the task keeps its result until the retention prunes it")
        if self.finished_at + timedelta(seconds=self.result_ttl) > now:
            raise InvalidTransition("the task's result_ttl has not run out")
        self.result = None
        self.result_expired = True

    # -- internals -------------------------------------------------------------------------

    def _give_back(self, now: datetime, *, actor: str, reason: str) -> None:
        self._move(TaskStatus.READY, now, actor=actor, reason=reason)
        self.attempt -= 1
        # One holder per attempt made; the dropped claim's holder is named in the transition.
        if self.worker_ids:
            self.worker_ids.pop()
        self.worker_id = None
        self.lease_expires_at = None
        self.started_at = None
        if self.attempt == 0:
            self.first_started_at = None
        self.run_after = min(self.run_after, now)

    def _require_running(self, attempt: int, action: str) -> None:
        if self.status is not TaskStatus.RUNNING:
            raise InvalidTransition(f"cannot {action} a {self.status} task")
        if attempt != self.attempt:
            raise StaleTask(
                f"attempt {attempt} of task {self.id} is stale; attempt {self.attempt} is current"
            )

    def _record_failure(
        self,
        error: TaskError,
        now: datetime,
        policy: RetryPolicy,
        rng: random.Random,
        retryable: bool,
        actor: str,
        delay: timedelta | None = None,
    ) -> None:
        self.errors.append(error)
        reason = error.exception_type
        if self.cancel_requested:
            self._finish(TaskStatus.CANCELLED, now, actor=actor, reason=reason)
        elif retryable and self.can_retry():
            self.run_after = now + (policy.delay(self.attempt, rng) if delay is None else delay)
            self.lease_expires_at = None
            self._move(TaskStatus.RETRYING, now, actor=actor, reason=reason)
        else:
            self._finish(TaskStatus.FAILED, now, actor=actor, reason=reason)

    def _finish(self, status: TaskStatus, now: datetime, *, actor: str, reason: str = "") -> None:
        self.finished_at = now
        self.lease_expires_at = None
        self._move(status, now, actor=actor, reason=reason)

    def _move(self, to: TaskStatus, now: datetime, *, actor: str, reason: str = "") -> None:
        self._log(self.status, to, now, actor=actor, reason=reason)
        self.status = to

    def _log(
        self, from_: TaskStatus, to: TaskStatus, now: datetime, *, actor: str, reason: str
    ) -> None:
        self.pending_transitions.append(
            TaskTransition(
                task_id=self.id,
                from_status=from_,
                to_status=to,
                at=now,
                attempt=self.attempt,
                actor=actor,
                reason=reason,
            )
        )
