"""A worker's write never silently drops a cancel request made after it read the task."""

from __future__ import annotations

import copy

import pytest

from scheduler_core.domain import StaleTask, TaskStatus

from .factories import TaskFactory
from .kits import StorageKit


def test_a_write_that_would_clear_a_cancel_request_is_stale(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    running = make_task.add_running()
    workers_copy = copy.deepcopy(running)
    running.request_cancel(now=kit.now(), actor="operator")
    kit.tasks.update(running, expected_status=TaskStatus.RUNNING, expected_attempt=1)

    workers_copy.succeed("done", attempt=1, now=kit.now())
    with pytest.raises(StaleTask):
        kit.tasks.update(workers_copy, expected_status=TaskStatus.RUNNING, expected_attempt=1)

    stored = kit.tasks.get(running.id)
    assert stored.status is TaskStatus.RUNNING
    assert stored.cancel_requested


def test_a_write_that_keeps_the_cancel_request_goes_through(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    running = make_task.add_running_asked_to_cancel()

    running.cancel(now=kit.now(), attempt=1, actor="w1")
    kit.tasks.update(running, expected_status=TaskStatus.RUNNING, expected_attempt=1)

    assert kit.tasks.get(running.id).status is TaskStatus.CANCELLED
