"""The supervisor stops its attempts before their leases can lapse while heartbeats fail."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain import Task
from scheduler_core.executor.config import WorkerConfig
from scheduler_core.executor.events import Heartbeat
from scheduler_core.executor.supervisor import Supervisor

from . import supervising
from .supervising import occupy_slot, started_supervisor

NAME = "tests.noop"
LEASE = timedelta(seconds=10)


@pytest.fixture
def services() -> Services:
    return build_services("memory", task_names=[NAME])


@pytest.fixture
def supervisor(services: Services) -> Supervisor:
    return started_supervisor(services, lease=LEASE, heartbeat_interval=3)


def claim(supervisor: Supervisor, services: Services, count: int) -> list[Task]:
    return supervising.claim(supervisor, services, NAME, count)


def test_the_guard_leaves_a_tenth_of_the_lease_and_at_least_half_a_second(
    services: Services,
) -> None:
    def guard(seconds: float) -> float:
        config = WorkerConfig(lease=timedelta(seconds=seconds), heartbeat_interval=seconds / 3)
        return Supervisor(config, services).lease_guard

    assert guard(60) == pytest.approx(54)
    assert guard(3) == pytest.approx(2.5)


def test_attempts_and_buffered_tasks_are_stopped_once_heartbeats_failed_too_long(
    supervisor: Supervisor, services: Services
) -> None:
    running, waiting = claim(supervisor, services, 2)
    slot = occupy_slot(supervisor, running)
    supervisor.pending.add([waiting])
    supervisor.leases_renewed_at = time.monotonic() - supervisor.lease_guard - 0.1

    supervisor._stop_if_leases_lapse()

    assert slot.retired and slot.task is None
    assert not supervisor.pending


def test_nothing_is_stopped_while_heartbeats_get_through(
    supervisor: Supervisor, services: Services
) -> None:
    [running] = claim(supervisor, services, 1)
    slot = occupy_slot(supervisor, running)
    supervisor.leases_renewed_at = time.monotonic() - supervisor.lease_guard - 5
    # A heartbeat that got through renews the leases it was sent for.
    beaten = services.workers.heartbeat("w1", {(running.id, running.attempt)})
    supervisor._handle(Heartbeat(time.monotonic(), beaten))

    supervisor._stop_if_leases_lapse()

    assert slot.task is running and not slot.retired


def test_an_idle_worker_with_failing_heartbeats_has_nothing_to_stop(
    supervisor: Supervisor,
) -> None:
    supervisor.leases_renewed_at = time.monotonic() - 3600

    supervisor._stop_if_leases_lapse()

    assert supervisor.slots == []
