"""finish_many: many ended attempts stored at once, each fenced exactly as update() is."""

from __future__ import annotations

import copy
import random

from scheduler_core.domain import RetryPolicy, TaskError, TaskStatus

from .factories import TaskFactory
from .kits import StorageKit


def test_successes_are_stored_with_their_transitions(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    running = [make_task.add_running() for _ in range(3)]
    now = kit.now()
    for number, task in enumerate(running):
        task.succeed({"n": number} if number else None, attempt=1, now=now)

    stored = kit.tasks.finish_many(running)

    assert stored == {task.id for task in running}
    for number, task in enumerate(running):
        row = kit.tasks.get(task.id)
        assert (row.status, row.result, row.finished_at) == (
            TaskStatus.SUCCEEDED,
            {"n": number} if number else None,
            now,
        )
        assert row.lease_expires_at is None
        assert task.pending_transitions == []
        assert [t.to_status for t in kit.tasks.transitions(task.id)][-1] is TaskStatus.SUCCEEDED


def test_a_lost_attempt_is_left_out_and_left_alone(kit: StorageKit, make_task: TaskFactory) -> None:
    ours = make_task.add_running()
    lost = make_task.add_running()
    # Someone else moved the lost one on (a rescue, then another worker's attempt 2).
    theirs = kit.tasks.get(lost.id)
    theirs.status = TaskStatus.READY
    kit.tasks.update(theirs, expected_status=TaskStatus.RUNNING, expected_attempt=1)
    now = kit.now()
    ours.succeed("mine", attempt=1, now=now)
    lost.succeed("stale", attempt=1, now=now)

    assert kit.tasks.finish_many([ours, lost]) == {ours.id}

    assert kit.tasks.get(lost.id).status is TaskStatus.READY
    assert kit.tasks.get(lost.id).result is None
    assert kit.tasks.get(ours.id).result == "mine"
    assert lost.pending_transitions, "a refused write keeps its transitions to report"


def test_a_cancel_request_made_meanwhile_refuses_the_write(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    running = make_task.add_running()
    workers_copy = copy.deepcopy(running)
    running.request_cancel(now=kit.now(), actor="operator")
    kit.tasks.update(running, expected_status=TaskStatus.RUNNING, expected_attempt=1)
    workers_copy.succeed("done", attempt=1, now=kit.now())

    assert kit.tasks.finish_many([workers_copy]) == set()

    stored = kit.tasks.get(running.id)
    assert (stored.status, stored.cancel_requested) == (TaskStatus.RUNNING, True)


def test_failures_and_successes_mix(kit: StorageKit, make_task: TaskFactory) -> None:
    succeeded, failed = make_task.add_running(), make_task.add_running(max_attempts=1)
    now = kit.now()
    succeeded.succeed(1, attempt=1, now=now)
    error = TaskError(
        attempt=1,
        exception_type="ValueError",
        message="bad",
        traceback="",
        failed_at=now,
        worker_id="w1",
    )
    failed.fail(error, attempt=1, now=now, policy=RetryPolicy(), rng=random.Random(1))

    assert kit.tasks.finish_many([succeeded, failed]) == {succeeded.id, failed.id}

    assert kit.tasks.get(failed.id).status is TaskStatus.FAILED
    assert [e.message for e in kit.tasks.get(failed.id).errors] == ["bad"]
    assert kit.tasks.get(succeeded.id).status is TaskStatus.SUCCEEDED


def test_nothing_to_store_is_no_error(kit: StorageKit) -> None:
    assert kit.tasks.finish_many([]) == set()
