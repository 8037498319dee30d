"""attempts_of: a task's attempts rebuilt from its transition log and its errors."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from dashboard.tasks.timeline import attempts_of
from scheduler_core.domain import RetryPolicy, Task, TaskError, TaskStatus

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)
POLICY = RetryPolicy(base=timedelta(seconds=10), factor=2, cap=timedelta(hours=1), jitter=0)


def error(task: Task, at: datetime, message: str) -> TaskError:
    return TaskError(
        attempt=task.attempt,
        exception_type="builtins.ValueError",
        message=message,
        traceback="",
        failed_at=at,
        worker_id=task.worker_id,
    )


def test_a_failure_then_a_success_after_backoff() -> None:
    task = Task.create("app.job", now=T0, max_attempts=3)
    task.claim("w1", now=T0 + timedelta(seconds=2), lease=LEASE)
    failed_at = T0 + timedelta(seconds=5)
    task.fail(
        error(task, failed_at, "first"),
        attempt=1,
        now=failed_at,
        policy=POLICY,
        rng=random.Random(1),
    )
    due = task.run_after
    task.promote(now=due)
    task.claim("w2", now=due + timedelta(seconds=3), lease=LEASE)
    task.succeed(7, attempt=2, now=due + timedelta(seconds=4))

    first, second = attempts_of(task, task.pending_transitions)

    assert (first.number, first.worker_id, first.outcome) == (1, "w1", TaskStatus.RETRYING)
    assert (first.waited, first.ran) == (timedelta(seconds=2), timedelta(seconds=3))
    assert first.error is not None and first.error.message == "first"
    assert (second.number, second.worker_id, second.outcome) == (2, "w2", TaskStatus.SUCCEEDED)
    # Waited from the promotion to ready, not from the failure: the backoff is not queueing.
    assert (second.waited, second.ran, second.error) == (
        timedelta(seconds=3),
        timedelta(seconds=1),
        None,
    )


def test_a_running_attempt_with_a_cancel_request() -> None:
    task = Task.create("app.job", now=T0)
    task.claim("w1", now=T0, lease=LEASE)
    task.request_cancel(now=T0 + timedelta(seconds=1), actor="alice")

    [attempt] = attempts_of(task, task.pending_transitions)

    assert (attempt.ended_at, attempt.outcome, attempt.ran) == (None, None, None)
    assert [(n.actor, n.reason) for n in attempt.notes] == [("alice", "cancel requested")]


def test_errors_without_transitions_still_show_as_attempts() -> None:
    task = Task.create("app.job", now=T0)
    task.errors.append(
        TaskError(
            attempt=1,
            exception_type="WorkerLost",
            message="gone",
            traceback="",
            failed_at=T0,
            worker_id="w9",
        )
    )

    [attempt] = attempts_of(task, [])

    assert (attempt.number, attempt.worker_id, attempt.error) == (1, "w9", task.errors[0])


def test_no_attempts_before_the_first_claim() -> None:
    assert attempts_of(Task.create("app.job", now=T0), []) == []


def test_a_delayed_task_waited_from_its_due_time_not_from_its_enqueue() -> None:
    # Submitted to run an hour later, claimed 2 s after it fell due, without a promotion.
    due = T0 + timedelta(hours=1)
    task = Task.create("app.job", now=T0, run_after=due)
    task.claim("w1", now=due + timedelta(seconds=2), lease=LEASE)

    [attempt] = attempts_of(task, task.pending_transitions)

    assert attempt.waited == timedelta(seconds=2)


def test_ran_counts_from_the_start_of_the_code_not_from_the_claim() -> None:
    task = Task.create("app.job", now=T0)
    task.claim("w1", now=T0, lease=LEASE)
    # The claim sat 4.7 s in the worker before its code began.
    task.mark_started(attempt=1, now=T0 + timedelta(seconds=4.7))
    task.succeed(1, attempt=1, now=T0 + timedelta(seconds=5))

    [attempt] = attempts_of(task, task.pending_transitions)

    assert attempt.ran == timedelta(seconds=0.3)
    assert not attempt.ran_is_bound


def test_an_earlier_attempt_claimed_while_backing_off_has_no_known_wait() -> None:
    task = Task.create("app.job", now=T0, max_attempts=3)
    task.claim("w1", now=T0, lease=LEASE)
    task.fail(error(task, T0, "first"), attempt=1, now=T0, policy=POLICY, rng=random.Random(1))
    # Claimed straight from retrying (no promotion): its due time was in run_after only.
    task.claim("w2", now=task.run_after + timedelta(seconds=1), lease=LEASE)
    task.fail(
        error(task, task.run_after, "second"),
        attempt=2,
        now=task.run_after + timedelta(seconds=2),
        policy=POLICY,
        rng=random.Random(1),
    )

    first, second = attempts_of(task, task.pending_transitions)

    # The first was claimed ready on arrival; the second's due time went with its run_after.
    assert first.waited == timedelta(0)
    assert second.waited is None
    assert second.ran == timedelta(seconds=1) and second.ran_is_bound
