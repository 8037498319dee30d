"""Contract: what the task authors' toolkit stores. Progress reports are fenced like every
write of a running task; a snooze is stored waiting with its attempt given back; the first
attempt's start and the run_after a submitter asked for survive later claims."""

from __future__ import annotations

import copy
import random
from datetime import timedelta

import pytest

from scheduler_core.domain import RetryPolicy, StaleTask, Task, TaskError, TaskStatus
from scheduler_core.domain.progress import Progress

from .factories import TaskFactory
from .kits import StorageKit

LEASE = timedelta(minutes=1)
NO_BACKOFF = RetryPolicy(base=timedelta(0), jitter=0)


def claim_one(kit: StorageKit, worker_id: str = "w1") -> Task:
    [claimed] = kit.queue.claim(worker_id, ["default"], 1, LEASE)
    return claimed


def store(kit: StorageKit, task: Task, held: Task) -> None:
    """Write `task` fenced by the attempt `held` was claimed at, as the worker service does."""
    kit.tasks.update(
        task,
        expected_status=TaskStatus.RUNNING,
        expected_attempt=held.attempt,
        expected_worker=held.worker_id,
    )


def test_the_progress_of_a_held_attempt_is_stored_with_the_storage_s_time(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add()
    held = claim_one(kit)
    before = kit.now()

    changed = kit.tasks.record_progress(
        "w1", [(held.id, held.attempt, Progress.reported(3, 10, "three of ten"))]
    )

    assert changed == 1
    progress = kit.tasks.get(held.id).progress
    assert progress is not None
    assert (progress.done, progress.total, progress.message) == (3, 10, "three of ten")
    assert progress.at is not None
    assert progress.at >= before - timedelta(seconds=1)
    assert progress.percent == 30


def test_progress_of_an_attempt_no_longer_held_changes_nothing(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add()
    held = claim_one(kit)
    report = Progress.reported(1)

    assert kit.tasks.record_progress("other", [(held.id, held.attempt, report)]) == 0
    assert kit.tasks.record_progress("w1", [(held.id, held.attempt + 1, report)]) == 0
    done = copy.deepcopy(held)
    done.succeed(None, attempt=held.attempt, now=kit.now())
    store(kit, done, held)
    assert kit.tasks.record_progress("w1", [(held.id, held.attempt, report)]) == 0
    assert kit.tasks.get(held.id).progress is None


def test_a_snooze_is_stored_waiting_with_its_attempt_given_back(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add()
    held = claim_one(kit)
    snoozed = copy.deepcopy(held)
    snoozed.snooze(60, attempt=held.attempt, now=kit.now())

    store(kit, snoozed, held)

    stored = kit.tasks.get(held.id)
    assert (stored.status, stored.attempt, stored.snoozes) == (TaskStatus.SCHEDULED, 0, 1)
    assert (stored.worker_id, stored.worker_ids, stored.errors) == (None, [], [])
    assert stored.run_after > kit.now() + timedelta(seconds=50)
    # Not due, so not claimable; and the timeline says why it waits.
    assert kit.queue.claim("w1", ["default"], 1, LEASE) == []
    last = kit.tasks.transitions(held.id)[-1]
    assert (last.from_status, last.to_status, last.reason) == (
        TaskStatus.RUNNING,
        TaskStatus.SCHEDULED,
        "snoozed for 60s",
    )


def test_a_snooze_write_is_fenced_by_the_attempt_and_its_holder(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add()
    held = claim_one(kit)
    snoozed = copy.deepcopy(held)
    snoozed.snooze(0, attempt=held.attempt, now=kit.now())
    store(kit, snoozed, held)
    again = claim_one(kit, "w2")

    # The same attempt number again, but another holder: the first one's writes miss.
    assert again.attempt == held.attempt
    late = copy.deepcopy(held)
    late.succeed("late", attempt=held.attempt, now=kit.now())
    with pytest.raises(StaleTask):
        store(kit, late, held)
    assert kit.tasks.get(held.id).worker_id == "w2"


def test_the_first_start_and_the_requested_run_after_survive_a_retry(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    task = make_task.add()
    first = claim_one(kit)
    assert first.first_started_at == first.started_at
    failed = copy.deepcopy(first)
    error = TaskError(attempt=1, exception_type="E", message="", traceback="", failed_at=kit.now())
    failed.fail(error, attempt=1, now=kit.now(), policy=NO_BACKOFF, rng=random.Random(0))
    store(kit, failed, first)

    second = claim_one(kit)

    assert second.attempt == 2
    assert second.first_started_at == first.started_at
    assert first.started_at is not None and second.started_at is not None
    assert second.started_at >= first.started_at
    assert kit.tasks.get(task.id).requested_run_after == task.run_after


def test_an_outcome_write_stores_the_attempt_s_last_report_with_it(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add()
    held = claim_one(kit)
    kit.tasks.record_progress("w1", [(held.id, held.attempt, Progress.reported(3, 10))])
    done = copy.deepcopy(held)
    done.progress = Progress.reported(10, 10, "all done")
    done.succeed("ok", attempt=held.attempt, now=kit.now())

    store(kit, done, held)
    # A report the progress writer still held lands after the outcome: refused.
    late = Progress.reported(9, 10)
    assert kit.tasks.record_progress("w1", [(held.id, held.attempt, late)]) == 0

    stored = kit.tasks.get(held.id)
    assert stored.status is TaskStatus.SUCCEEDED
    assert stored.progress is not None
    assert (stored.progress.done, stored.progress.message) == (10, "all done")
