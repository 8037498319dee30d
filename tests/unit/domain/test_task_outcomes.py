"""What failing, rescuing, retrying and succeeding do to a task beyond its status."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from scheduler_core.domain import (
    WORKER_LOST,
    InvalidTransition,
    RetryPolicy,
    TaskInvalid,
    TaskStatus,
)
from scheduler_core.domain.defaults import MAX_ATTEMPTS_LIMIT
from tests.unit.domain.builders import (
    LATER,
    LEASE,
    NOW,
    POLICY,
    WORKER,
    assert_unchanged,
    claimed,
    error,
    new_task,
    rng,
    task_in,
)

S = TaskStatus


def test_fail_with_attempts_left_retries_after_the_backoff() -> None:
    task = claimed(new_task(max_attempts=3))

    task.fail(error(1), attempt=1, now=NOW, policy=POLICY, rng=rng())

    assert task.status is S.RETRYING
    assert task.run_after == NOW + POLICY.delay(1, rng()) == NOW + timedelta(seconds=10)
    assert (task.lease_expires_at, task.finished_at) == (None, None)
    assert task.errors == [error(1)]


def test_fail_uses_the_backoff_of_the_current_attempt() -> None:
    task = claimed(new_task(max_attempts=3))
    task.fail(error(1), attempt=1, now=NOW, policy=POLICY, rng=rng())
    claimed(task, now=LATER)

    task.fail(error(2, at=LATER), attempt=2, now=LATER, policy=POLICY, rng=rng())

    assert task.run_after == LATER + timedelta(seconds=20)


def test_jittered_backoff_comes_from_the_given_random_source() -> None:
    policy = RetryPolicy(base=timedelta(seconds=100), jitter=0.5)
    task = claimed(new_task())

    task.fail(error(1), attempt=1, now=NOW, policy=policy, rng=rng())

    assert task.run_after == NOW + policy.delay(1, rng())
    assert NOW + timedelta(seconds=50) <= task.run_after <= NOW + timedelta(seconds=100)


@pytest.mark.parametrize("max_attempts", [1, 2, 5])
def test_fail_on_the_last_attempt_fails_for_good(max_attempts: int) -> None:
    task = new_task(max_attempts=max_attempts)
    for attempt in range(1, max_attempts + 1):
        moment = NOW + timedelta(hours=attempt)
        claimed(task, now=moment)
        task.fail(error(attempt, at=moment), attempt=attempt, now=moment, policy=POLICY, rng=rng())

    assert task.status is S.FAILED
    assert task.finished_at == NOW + timedelta(hours=max_attempts)
    assert [e.attempt for e in task.errors] == list(range(1, max_attempts + 1))


def test_fail_not_retryable_fails_at_once_with_attempts_left() -> None:
    task = claimed(new_task(max_attempts=5))

    task.fail(error(1), attempt=1, now=NOW, policy=POLICY, rng=rng(), retryable=False)

    assert task.status is S.FAILED
    assert (task.finished_at, task.lease_expires_at) == (NOW, None)
    assert task.errors == [error(1)]


def test_fail_after_cancel_was_requested_cancels() -> None:
    task = claimed(new_task(max_attempts=5))
    task.request_cancel(now=NOW)

    task.fail(error(1), attempt=1, now=NOW, policy=POLICY, rng=rng())

    assert task.status is S.CANCELLED
    assert task.finished_at == NOW
    assert task.errors == [error(1)]


def test_rescue_after_cancel_was_requested_cancels() -> None:
    task = claimed(new_task(max_attempts=5))
    task.request_cancel(now=NOW)

    task.rescue(now=LATER, policy=POLICY, rng=rng())

    assert task.status is S.CANCELLED
    assert task.errors[-1].exception_type == WORKER_LOST


def test_rescue_records_a_worker_lost_error_naming_the_worker() -> None:
    task = claimed(new_task(), worker="worker-9")

    task.rescue(now=LATER, policy=POLICY, rng=rng())

    [lost] = task.errors
    assert lost.exception_type == WORKER_LOST
    assert (lost.attempt, lost.worker_id, lost.failed_at) == (1, "worker-9", LATER)
    assert "worker-9" in lost.message
    assert (NOW + LEASE).isoformat() in lost.message
    assert task.status is S.RETRYING
    assert task.run_after == LATER + timedelta(seconds=10)


def test_rescue_of_the_last_attempt_fails_the_task() -> None:
    task = claimed(new_task(max_attempts=1))

    task.rescue(now=LATER, policy=POLICY, rng=rng())

    assert task.status is S.FAILED
    assert task.errors[-1].exception_type == WORKER_LOST


def test_rescue_is_possible_exactly_when_the_lease_runs_out() -> None:
    task = task_in(S.RUNNING)
    before = copy.deepcopy(task)
    with pytest.raises(InvalidTransition):
        task.rescue(now=NOW + LEASE - timedelta(microseconds=1), policy=POLICY, rng=rng())
    assert_unchanged(task, before)

    task.rescue(now=NOW + LEASE, policy=POLICY, rng=rng())

    assert task.status is S.RETRYING


def test_retry_now_grants_exactly_one_more_attempt_when_exhausted() -> None:
    task = task_in(S.FAILED, max_attempts=1)

    task.retry_now(now=LATER, actor="alice")

    assert (task.status, task.attempt, task.max_attempts) == (S.READY, 1, 2)
    assert (task.run_after, task.finished_at) == (LATER, None)
    claimed(task, now=LATER)
    assert task.attempt == 2
    task.fail(error(2), attempt=2, now=LATER, policy=POLICY, rng=rng())
    assert task.status is S.FAILED


def test_retry_now_keeps_attempts_left_and_history() -> None:
    task = claimed(new_task(max_attempts=5))
    task.fail(error(1), attempt=1, now=NOW, policy=POLICY, rng=rng(), retryable=False)

    task.retry_now(now=LATER)

    assert (task.attempt, task.max_attempts) == (1, 5)
    assert task.errors == [error(1)]
    assert task.worker_ids == [WORKER]


def test_retry_now_of_a_cancel_requested_task_clears_the_request_and_result() -> None:
    task = claimed(new_task())
    task.request_cancel(now=NOW)
    task.cancel(now=NOW, attempt=1)

    task.retry_now(now=LATER)

    assert not task.cancel_requested
    assert task.result is None
    claimed(task, now=LATER)
    task.fail(error(2), attempt=2, now=LATER, policy=POLICY, rng=rng())
    assert task.status is S.RETRYING


def test_attempt_numbers_keep_growing_across_operator_retries() -> None:
    task = new_task(max_attempts=1)
    for attempt in (1, 2, 3):
        claimed(task, now=LATER)
        task.fail(error(attempt), attempt=attempt, now=LATER, policy=POLICY, rng=rng())
        assert task.status is S.FAILED
        task.retry_now(now=LATER)

    assert task.attempt == 3
    assert task.max_attempts == 4
    assert task.worker_ids == [WORKER] * 3


def test_retry_now_refuses_to_exceed_the_attempt_limit() -> None:
    task = task_in(S.FAILED, max_attempts=1)
    task.attempt = MAX_ATTEMPTS_LIMIT
    task.max_attempts = MAX_ATTEMPTS_LIMIT
    before = copy.deepcopy(task)

    with pytest.raises(InvalidTransition, match=str(MAX_ATTEMPTS_LIMIT)):
        task.retry_now(now=LATER)

    assert_unchanged(task, before)
    task.validate()


def test_succeed_stores_the_result_and_finishes() -> None:
    task = task_in(S.RUNNING)

    task.succeed({"sent": [1, 2]}, attempt=1, now=LATER)

    assert task.result == {"sent": [1, 2]}
    assert (task.finished_at, task.lease_expires_at) == (LATER, None)


def test_succeed_wins_over_a_cancel_request() -> None:
    task = task_in(S.RUNNING)
    task.request_cancel(now=NOW)

    task.succeed(None, attempt=1, now=NOW)

    assert task.status is S.SUCCEEDED


@pytest.mark.parametrize(
    ("result", "field"),
    [
        (object(), "result"),
        ({1, 2}, "result"),
        (float("nan"), "result"),
        ({"when": NOW}, "result.when"),
        (["ok", b"bytes"], "result[1]"),
    ],
)
def test_succeed_with_a_non_json_result_is_refused(result: Any, field: str) -> None:
    task = task_in(S.RUNNING)
    before = copy.deepcopy(task)

    with pytest.raises(TaskInvalid) as caught:
        task.succeed(result, attempt=1, now=NOW)

    assert caught.value.field == field
    assert_unchanged(task, before)


def test_cancel_of_a_running_task_needs_the_attempt() -> None:
    task = task_in(S.RUNNING)
    before = copy.deepcopy(task)

    with pytest.raises(InvalidTransition, match="request_cancel"):
        task.cancel(now=NOW)

    assert_unchanged(task, before)
