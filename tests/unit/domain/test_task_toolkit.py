"""Snooze, discard, a task's own backoff, its first start, and progress reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from scheduler_core.domain import InvalidTransition, StaleTask, TaskStatus
from scheduler_core.domain.defaults import MAX_SNOOZES
from scheduler_core.domain.progress import MAX_PROGRESS_MESSAGE, Progress
from scheduler_core.domain.records import TOO_MANY_SNOOZES
from tests.unit.domain.builders import LEASE, NOW, POLICY, WORKER, claimed, error, new_task, rng

LATER = NOW + timedelta(minutes=5)


def test_a_snooze_waits_and_gives_the_attempt_back() -> None:
    task = claimed(new_task(max_attempts=1))

    task.snooze(30, attempt=1, now=NOW)

    assert (task.status, task.attempt, task.snoozes) == (TaskStatus.SCHEDULED, 0, 1)
    assert task.run_after == NOW + timedelta(seconds=30)
    assert (task.worker_id, task.worker_ids, task.lease_expires_at) == (None, [], None)
    assert task.errors == []
    [*_, move] = task.pending_transitions
    assert (move.to_status, move.attempt, move.reason) == (
        TaskStatus.SCHEDULED,
        1,
        "snoozed for 30s",
    )
    # The next claim is attempt 1 again, and may still fail and be retried by the policy.
    task.claim(WORKER, now=LATER, lease=LEASE)
    assert task.attempt == 1


def test_past_the_cap_a_snooze_fails_the_task_saying_why() -> None:
    task = claimed(new_task())
    task.snoozes = MAX_SNOOZES

    task.snooze(1, attempt=1, now=NOW)

    assert task.status is TaskStatus.FAILED
    assert task.errors[0].exception_type == TOO_MANY_SNOOZES
    assert f"snoozed {MAX_SNOOZES} times" in task.errors[0].message


def test_a_snooze_of_a_task_asked_to_cancel_cancels_it() -> None:
    task = claimed(new_task())
    task.request_cancel(now=NOW)

    task.snooze(1, attempt=1, now=NOW)

    assert task.status is TaskStatus.CANCELLED


@pytest.mark.parametrize("seconds", [-1, 31 * 24 * 3600])
def test_a_snooze_out_of_range_is_refused(seconds: float) -> None:
    task = claimed(new_task())
    with pytest.raises(InvalidTransition):
        task.snooze(seconds, attempt=1, now=NOW)


def test_a_stale_attempt_cannot_snooze() -> None:
    task = claimed(new_task())
    with pytest.raises(StaleTask):
        task.snooze(1, attempt=2, now=NOW)


def test_a_discard_fails_at_once_with_attempts_left() -> None:
    task = claimed(new_task(max_attempts=5))

    task.discard(replace(error(1), message="account closed"), attempt=1, now=NOW)

    assert (task.status, task.attempt, task.finished_at) == (TaskStatus.FAILED, 1, NOW)
    assert task.pending_transitions[-1].reason == "discarded: account closed"


def test_a_task_s_own_delay_replaces_the_policy_s_backoff() -> None:
    task = claimed(new_task(max_attempts=3))

    task.fail(error(1), attempt=1, now=NOW, policy=POLICY, rng=rng(), delay=timedelta(seconds=2))

    assert (task.status, task.run_after) == (TaskStatus.RETRYING, NOW + timedelta(seconds=2))


def test_the_first_start_is_kept_across_attempts() -> None:
    task = claimed(new_task(max_attempts=3))
    task.fail(error(1), attempt=1, now=NOW, policy=POLICY, rng=rng())

    task.claim(WORKER, now=LATER, lease=LEASE)

    assert (task.first_started_at, task.started_at) == (NOW, LATER)


def test_a_requested_run_after_is_kept_and_none_when_due_at_once() -> None:
    assert new_task().requested_run_after is None
    assert new_task(run_after=LATER).requested_run_after == LATER


@pytest.mark.parametrize(
    ("done", "total", "message"),
    [(-1, None, ""), (float("nan"), None, ""), (True, None, ""), (1, 0, ""), (1, None, 3)],
)
def test_malformed_progress_is_refused(done: object, total: object, message: object) -> None:
    with pytest.raises(ValueError, match="progress"):
        Progress.reported(done, total, message)


def test_progress_keeps_a_short_message_and_its_fraction() -> None:
    progress = Progress.reported(15, 10, "x" * 1000)

    assert len(progress.message) == MAX_PROGRESS_MESSAGE
    assert (progress.fraction, progress.percent) == (1.0, 100)
    assert Progress.reported(1).fraction is None
    assert Progress.from_json(progress.as_json()) == progress
