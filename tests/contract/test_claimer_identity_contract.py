"""Contract: a worker declared dead (or stopped) claims nothing; it comes back under a new id."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler_core.domain import TaskStatus, WorkerState

from .factories import TaskFactory, WorkerFactory
from .kits import StorageKit

LEASE = timedelta(minutes=1)


@pytest.mark.parametrize("state", [WorkerState.DEAD, WorkerState.STOPPED])
def test_a_worker_that_has_exited_claims_nothing(
    kit: StorageKit, make_task: TaskFactory, make_worker: WorkerFactory, state: WorkerState
) -> None:
    task = make_task.add()
    make_worker.add("gone")
    kit.workers.set_state("gone", state)

    assert kit.queue.claim("gone", ["default"], 10, LEASE) == []
    assert kit.tasks.get(task.id).status is TaskStatus.READY
    # A live worker, or a claimer with no worker row (a script), still claims it.
    make_worker.add("alive")
    [claimed] = kit.queue.claim("alive", ["default"], 10, LEASE)
    assert claimed.id == task.id
