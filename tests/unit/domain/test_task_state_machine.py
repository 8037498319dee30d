"""Random walks through a task's lifecycle, with its invariants checked after every step."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from scheduler_core.domain import (
    InvalidTransition,
    RetryPolicy,
    StaleTask,
    Task,
    TaskError,
    TaskInvalid,
    TaskStatus,
)
from scheduler_core.domain.defaults import MAX_DROPPED_CLAIMS
from scheduler_core.domain.records import CLAIM_DROPPED
from tests.unit.domain.builders import NOW, assert_unchanged

S = TaskStatus
REFUSALS = (InvalidTransition, StaleTask, TaskInvalid)

policies = st.builds(
    RetryPolicy,
    base=st.integers(0, 30).map(lambda s: timedelta(seconds=s)),
    factor=st.floats(1, 4),
    cap=st.integers(30, 600).map(lambda s: timedelta(seconds=s)),
    jitter=st.floats(0, 1),
)
leases = st.integers(1, 120).map(lambda s: timedelta(seconds=s))
# Mostly the current attempt; sometimes an older or a newer one, which must be fenced out.
attempt_offsets = st.sampled_from([0, 0, 0, -1, 1])
workers = st.sampled_from(["w1", "w2", "w3"])
# Text that every store keeps as is: no NUL, no lone surrogates.
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=4)
json_results = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=5,
)
results = json_results | st.sampled_from([{1, 2}, float("nan"), b"raw", "\x00"])


class TaskLifecycle(RuleBasedStateMachine):
    """One task, a clock that only moves forward, and every move tried at random."""

    task: Task

    @initialize(
        max_attempts=st.integers(1, 4), delay=st.integers(-60, 60), seed=st.integers(0, 2**32)
    )
    def create(self, max_attempts: int, delay: int, seed: int) -> None:
        self.now = NOW
        self.rng = random.Random(seed)
        self.task = Task.create(
            "tasks.flaky",
            now=NOW,
            max_attempts=max_attempts,
            run_after=NOW + timedelta(seconds=delay),
        )
        self.first_status = self.task.status
        self.first_max_attempts = max_attempts
        self.operator_retries = 0

    def try_move(self, move: Callable[[], Any], *, allowed: bool) -> bool:
        """Make the move; a refused one must change nothing, and must be refused for cause."""
        before = copy.deepcopy(self.task)
        try:
            move()
        except REFUSALS:
            assert_unchanged(self.task, before)
            assert not allowed, "a legal move was refused"
            return False
        assert allowed, "an illegal move was made"
        return True

    def new_error(self) -> TaskError:
        return TaskError(
            attempt=self.task.attempt,
            exception_type="builtins.OSError",
            message="flaky",
            traceback="",
            failed_at=self.now,
            worker_id=self.task.worker_id,
        )

    # -- the clock and the moves ------------------------------------------------------------

    @rule(seconds=st.integers(0, 120))
    def advance_clock(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    @rule(worker=workers, lease=leases)
    def claim(self, worker: str, lease: timedelta) -> None:
        task, now = self.task, self.now
        due = task.status.is_waiting and task.run_after <= now
        if self.try_move(lambda: task.claim(worker, now=now, lease=lease), allowed=due):
            assert (task.status, task.worker_id, task.lease_expires_at) == (
                S.RUNNING,
                worker,
                now + lease,
            )

    @rule(offset=attempt_offsets, lease=leases)
    def extend_lease(self, offset: int, lease: timedelta) -> None:
        task, now = self.task, self.now
        ok = task.status is S.RUNNING and offset == 0
        attempt = task.attempt + offset
        if self.try_move(
            lambda: task.extend_lease(attempt=attempt, now=now, lease=lease), allowed=ok
        ):
            assert task.lease_expires_at == now + lease

    @rule(offset=attempt_offsets, result=results)
    def succeed(self, offset: int, result: Any) -> None:
        task, now = self.task, self.now
        is_json = not isinstance(result, set | float | bytes) and result != "\x00"
        ok = task.status is S.RUNNING and offset == 0 and is_json
        attempt = task.attempt + offset
        if self.try_move(lambda: task.succeed(result, attempt=attempt, now=now), allowed=ok):
            assert (task.status, task.result) == (S.SUCCEEDED, result)

    @rule(offset=attempt_offsets, retryable=st.booleans(), policy=policies)
    def fail(self, offset: int, retryable: bool, policy: RetryPolicy) -> None:
        task, now, error = self.task, self.now, self.new_error()
        ok = task.status is S.RUNNING and offset == 0
        expected = self.outcome_of_failure(retryable)
        attempt = task.attempt + offset

        def move() -> None:
            task.fail(
                error, attempt=attempt, now=now, policy=policy, rng=self.rng, retryable=retryable
            )

        if self.try_move(move, allowed=ok):
            assert task.status is expected
            assert task.errors[-1] is error
            self.check_backoff(policy)

    @rule(offset=attempt_offsets)
    def mark_started(self, offset: int) -> None:
        task, now = self.task, self.now
        ok = task.status is S.RUNNING and offset == 0
        attempt = task.attempt + offset
        first = task.attempt_started_at is None
        if self.try_move(lambda: task.mark_started(attempt=attempt, now=now), allowed=ok):
            assert task.attempt_started_at is not None
            assert first or task.attempt_started_at <= now

    @rule(offset=attempt_offsets)
    def hand_back(self, offset: int) -> None:
        task, now = self.task, self.now
        # Only the current attempt's holder, only before its code began, only uncancelled.
        ok = (
            task.status is S.RUNNING
            and offset == 0
            and task.attempt_started_at is None
            and not task.cancel_requested
        )
        attempt, dropped, errors = task.attempt, task.dropped_claims, len(task.errors)
        if self.try_move(lambda: task.hand_back(attempt=attempt + offset, now=now), allowed=ok):
            assert (task.status, task.attempt, task.worker_id) == (S.READY, attempt - 1, None)
            # A hand-back is no lost claim: it never counts towards MAX_DROPPED_CLAIMS.
            assert (task.dropped_claims, len(task.errors)) == (dropped, errors)

    @rule(policy=policies)
    def rescue(self, policy: RetryPolicy) -> None:
        task, now = self.task, self.now
        ok = task.lease_expired(now)
        expected = self.outcome_of_failure(retryable=True)
        # A claim whose code never started is given back, within a cap, unless cancelled.
        gives_back = (
            task.attempt_started_at is None
            and task.dropped_claims < MAX_DROPPED_CLAIMS
            and not task.cancel_requested
        )
        attempt, errors = task.attempt, len(task.errors)
        if self.try_move(lambda: task.rescue(now=now, policy=policy, rng=self.rng), allowed=ok):
            if gives_back:
                assert (task.status, task.attempt, task.worker_id) == (S.READY, attempt - 1, None)
                assert len(task.errors) == errors
                return
            assert task.status is expected
            assert task.errors[-1].exception_type == "WorkerLost"
            self.check_backoff(policy)

    @rule(mode=st.sampled_from(["no attempt", "current", "stale"]))
    def cancel(self, mode: str) -> None:
        task, now = self.task, self.now
        attempt = {"no attempt": None, "current": task.attempt, "stale": task.attempt - 1}[mode]
        running_ok = task.status is S.RUNNING and mode == "current"
        ok = task.status.is_waiting or running_ok
        if self.try_move(lambda: task.cancel(now=now, attempt=attempt, actor="op"), allowed=ok):
            assert task.status is S.CANCELLED

    @rule()
    def request_cancel(self) -> None:
        task, now = self.task, self.now
        ok = task.status is S.RUNNING
        if self.try_move(lambda: task.request_cancel(now=now, actor="op"), allowed=ok):
            assert task.cancel_requested

    @rule()
    def promote(self) -> None:
        task, now = self.task, self.now
        run_after = task.run_after
        ok = task.status in (S.SCHEDULED, S.RETRYING) and run_after <= now
        if self.try_move(lambda: task.promote(now=now), allowed=ok):
            assert (task.status, task.run_after) == (S.READY, run_after)

    @rule()
    def run_now(self) -> None:
        task, now = self.task, self.now
        ok = task.status in (S.SCHEDULED, S.RETRYING)
        if self.try_move(lambda: task.run_now(now=now, actor="op"), allowed=ok):
            assert task.is_due(now)

    @rule()
    def retry_now(self) -> None:
        task, now = self.task, self.now
        ok = task.status in (S.FAILED, S.CANCELLED)
        if self.try_move(lambda: task.retry_now(now=now, actor="op"), allowed=ok):
            self.operator_retries += 1
            assert task.is_due(now) and task.can_retry()

    def outcome_of_failure(self, retryable: bool) -> TaskStatus:
        task = self.task
        if task.cancel_requested:
            return S.CANCELLED
        if retryable and task.attempt < task.max_attempts:
            return S.RETRYING
        return S.FAILED

    def check_backoff(self, policy: RetryPolicy) -> None:
        if self.task.status is S.RETRYING:
            full = policy.undisturbed_delay(self.task.attempt)
            assert full * (1 - policy.jitter) <= self.task.run_after - self.now <= full

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def attempts_stay_within_the_limit(self) -> None:
        task = self.task
        assert 0 <= task.attempt <= task.max_attempts
        # Only an operator's retry_now grants attempts beyond the ones the task was created with.
        if self.operator_retries == 0:
            assert task.max_attempts == self.first_max_attempts
        assert len(task.worker_ids) == task.attempt
        if task.status in (S.READY, S.RETRYING, S.SCHEDULED):
            assert task.attempt < task.max_attempts
        if task.status is S.SCHEDULED:
            assert task.attempt == 0

    @invariant()
    def running_holds_a_lease_and_a_worker(self) -> None:
        task = self.task
        running = task.status is S.RUNNING
        assert running == (task.lease_expires_at is not None)
        if running:
            assert task.worker_id is not None and task.worker_id == task.worker_ids[-1]
        if task.cancel_requested:
            # A task whose worker finished before honouring the request still succeeded.
            assert task.status in (S.RUNNING, S.CANCELLED, S.SUCCEEDED)

    @invariant()
    def terminal_tasks_have_finished(self) -> None:
        assert self.task.is_terminal() == (self.task.finished_at is not None)

    @invariant()
    def history_is_a_chain_ending_at_the_current_status(self) -> None:
        status = self.first_status
        last_at, last_attempt = NOW, 0
        for record in self.task.pending_transitions:
            assert record.task_id == self.task.id
            assert record.from_status is status
            assert record.at >= last_at and record.attempt >= last_attempt
            status, last_at, last_attempt = record.to_status, record.at, record.attempt
            if record.reason.startswith(CLAIM_DROPPED):
                # The claim given back was no attempt: the next one takes its number again.
                last_attempt -= 1
        assert status is self.task.status

    @invariant()
    def errors_follow_the_attempts(self) -> None:
        attempts = [error.attempt for error in self.task.errors]
        assert attempts == sorted(attempts)
        assert all(1 <= attempt <= self.task.attempt for attempt in attempts)

    @invariant()
    def task_stays_valid(self) -> None:
        self.task.validate()


TaskLifecycle.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)
test_task_lifecycle = TaskLifecycle.TestCase
