"""The supervisor's local buffer: opened by short tasks, reconciled with the heartbeat."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.executor.config import WorkerConfig
from scheduler_core.executor.supervisor import BUFFER_WHILE_TASKS_UNDER, Supervisor

from .supervising import write_round

NAME = "tests.noop"


@pytest.fixture
def services() -> Services:
    return build_services("memory", task_names=[NAME])


@pytest.fixture
def supervisor(services: Services) -> Supervisor:
    config = WorkerConfig(concurrency=2, pool="thread", worker_id="w1")
    made = Supervisor(config, services)
    services.workers.register(made.worker)
    services.workers.start(made.worker.id)
    return made


def buffered(supervisor: Supervisor, services: Services, count: int) -> list[Task]:
    for _ in range(count):
        services.tasks.submit(SubmitRequest(name=NAME))
    claimed = services.workers.claim(supervisor.worker, count, prefetch=count)
    supervisor.pending.add(claimed)
    return claimed


def test_the_buffer_is_32_tasks_per_slot_unless_set() -> None:
    assert WorkerConfig(concurrency=3).buffer == 96
    assert WorkerConfig(concurrency=3, prefetch=0).buffer == 0
    with pytest.raises(ValueError):
        WorkerConfig(prefetch=-1)


def test_claims_may_fill_the_buffer_but_no_more(services: Services) -> None:
    supervisor = Supervisor(WorkerConfig(concurrency=2, pool="thread"), services)
    for _ in range(20):
        services.tasks.submit(SubmitRequest(name=NAME))

    assert len(services.workers.claim(supervisor.worker, 50)) == 2
    assert len(services.workers.claim(supervisor.worker, 50, prefetch=8)) == 10


def test_short_tasks_open_the_buffer_and_long_ones_close_it(supervisor: Supervisor) -> None:
    assert supervisor.capacity.free == 2
    for _ in range(40):
        supervisor._note_duration(0.001)
    # Very short: the whole buffer, 32 per slot (a quarter of a second would hold 500).
    assert supervisor.capacity.free == 2 + 64
    for _ in range(40):
        supervisor._note_duration(0.05)
    # Short: as many as make a quarter of a second per slot, 2 x 0.25 / 0.05.
    assert supervisor.capacity.free == 2 + 10
    for _ in range(5):
        supervisor._note_duration(10 * BUFFER_WHILE_TASKS_UNDER)
    assert supervisor.capacity.free == 2


def test_a_buffered_task_asked_to_cancel_is_cancelled_without_running(
    supervisor: Supervisor, services: Services
) -> None:
    kept, cancelled = buffered(supervisor, services, 2)
    services.tasks.cancel(cancelled.id, actor="operator")
    asked_at = time.monotonic()

    held = {(task.id, task.attempt) for task in (kept, cancelled)}
    supervisor.guard.reconcile(asked_at, services.workers.heartbeat("w1", held))
    write_round(supervisor)

    assert len(supervisor.pending) == 1
    assert supervisor.pending.take()[0].id == kept.id
    assert services.tasks.status(cancelled.id).status is TaskStatus.CANCELLED
    assert services.tasks.status(kept.id).status is TaskStatus.RUNNING


def test_a_buffered_task_taken_from_us_is_dropped(
    supervisor: Supervisor, services: Services
) -> None:
    [lost] = buffered(supervisor, services, 1)
    asked_at = time.monotonic()

    supervisor.guard.reconcile(asked_at, running=[])

    assert not supervisor.pending
    assert services.tasks.status(lost.id).status is TaskStatus.RUNNING


def test_a_task_claimed_after_the_heartbeat_asked_is_kept(
    supervisor: Supervisor, services: Services
) -> None:
    asked_at = time.monotonic()
    [fresh] = buffered(supervisor, services, 1)

    supervisor.guard.reconcile(asked_at, running=[])

    assert len(supervisor.pending) == 1
    assert supervisor.pending.take()[0].id == fresh.id


def test_buffered_tasks_are_released_when_stopping_at_once(
    supervisor: Supervisor, services: Services
) -> None:
    [task] = buffered(supervisor, services, 1)

    supervisor._release_running("a test")
    write_round(supervisor)

    assert not supervisor.pending
    stored = services.tasks.status(task.id)
    assert stored.status is TaskStatus.RUNNING
    assert stored.lease_expires_at is not None
    assert stored.lease_expires_at <= services.clock.now() + timedelta(seconds=0)
