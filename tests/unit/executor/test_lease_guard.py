"""The supervisor stops each attempt before its lease can lapse, and claims only while it
can prove its leases; declared dead, it drops everything and comes back under a new id."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain import Task, TaskStatus, WorkerState
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.executor.events import Claimed, Fenced, Heartbeat
from scheduler_core.executor.lease_clock import LeaseClock
from scheduler_core.executor.supervisor import Supervisor

from . import supervising
from .supervising import occupy_slot, started_supervisor

NAME = "tests.noop"
LEASE = timedelta(seconds=10)
INTERVAL = 3.0


@pytest.fixture
def services() -> Services:
    return build_services("memory", task_names=[NAME], lease=LEASE)


@pytest.fixture
def supervisor(services: Services) -> Supervisor:
    return started_supervisor(services, lease=LEASE, heartbeat_interval=INTERVAL)


def claim(supervisor: Supervisor, services: Services, count: int) -> list[Task]:
    return supervising.claim(supervisor, services, NAME, count)


def lapsed() -> float:
    """A send time whose lease deadline has just passed."""
    return time.monotonic() - LEASE.total_seconds()


def test_an_attempt_stops_a_tenth_of_the_lease_and_at_least_half_a_second_early() -> None:
    def margin(seconds: float) -> float:
        clock = LeaseClock(timedelta(seconds=seconds), seconds / 3)
        return seconds - clock.deadline(0.0)

    assert margin(60) == pytest.approx(6)
    assert margin(3) == pytest.approx(0.5)


def test_attempts_and_buffered_tasks_whose_leases_lapse_are_stopped_unwritten(
    supervisor: Supervisor, services: Services
) -> None:
    running, waiting = claim(supervisor, services, 2)
    slot = occupy_slot(supervisor, running, lease_sent_at=lapsed())
    supervisor.pending.add([waiting], lapsed())

    supervisor.guard.stop_lapsing()

    assert slot.retired and slot.task is None
    assert not supervisor.pending
    assert len(supervisor.held) == 0
    # Nothing written: both stay running in the store until their leases run out.
    for task in (running, waiting):
        assert services.tasks.status(task.id).status is TaskStatus.RUNNING


def test_a_heartbeat_that_got_through_moves_the_deadlines_on(
    supervisor: Supervisor, services: Services
) -> None:
    running, waiting = claim(supervisor, services, 2)
    slot = occupy_slot(supervisor, running, lease_sent_at=lapsed())
    supervisor.pending.add([waiting], lapsed())
    sent_at = time.monotonic()
    beaten = services.workers.heartbeat("w1", {(t.id, t.attempt) for t in (running, waiting)})
    supervisor._handle(Heartbeat(sent_at, beaten))

    supervisor.guard.stop_lapsing()

    assert slot.task is running and not slot.retired
    assert slot.lease_deadline == pytest.approx(supervisor.lease_clock.deadline(sent_at))
    assert len(supervisor.pending) == 1


def test_a_fresh_claim_is_kept_even_while_heartbeats_fail(
    supervisor: Supervisor, services: Services
) -> None:
    [fresh] = claim(supervisor, services, 1)
    supervisor.lease_clock.renewed(time.monotonic() - 3600)
    supervisor.pending.add([fresh], time.monotonic())

    supervisor.guard.stop_lapsing()

    assert len(supervisor.pending) == 1


def test_claims_stop_once_a_heartbeat_is_overdue_and_start_again_when_one_gets_through() -> None:
    assert LeaseClock(LEASE, INTERVAL).may_claim()

    overdue = LeaseClock(LEASE, INTERVAL)
    overdue._renewed_at = time.monotonic() - 1.6 * INTERVAL
    assert not overdue.may_claim()

    overdue.renewed(time.monotonic())
    assert overdue.may_claim()


def test_a_fenced_worker_claims_nothing_until_it_is_renewed() -> None:
    clock = LeaseClock(LEASE, INTERVAL)
    clock.fence()
    assert (clock.fenced, clock.may_claim()) == (True, False)
    clock.renewed(time.monotonic())
    assert (clock.fenced, clock.may_claim()) == (False, True)


def test_declared_dead_it_drops_everything_unwritten_and_comes_back_under_a_new_id(
    supervisor: Supervisor, services: Services
) -> None:
    running, waiting = claim(supervisor, services, 2)
    slot = occupy_slot(supervisor, running)
    supervisor.pending.add([waiting], time.monotonic())
    services.workers.mark_stale_workers_dead(timedelta(seconds=-1))

    supervisor._handle(Fenced("w1"))

    assert slot.retired and not supervisor.pending and len(supervisor.held) == 0
    assert not supervisor.lease_clock.may_claim()
    supervisor._come_back()
    new_id = supervisor.worker.id
    assert new_id != "w1"
    assert services.workers.get_worker("w1").state is WorkerState.DEAD
    assert services.workers.get_worker(new_id).state is WorkerState.RUNNING
    assert supervisor.lease_clock.may_claim()
    # A second report of the old identity's death changes nothing.
    supervisor._handle(Fenced("w1"))
    assert supervisor.comeback_at is None


def test_a_claim_made_under_the_dead_identity_is_dropped(
    supervisor: Supervisor, services: Services
) -> None:
    [task] = claim(supervisor, services, 1)
    supervisor.lease_clock.fence()

    supervisor._handle(Claimed([task], time.monotonic()))

    assert not supervisor.pending


def test_a_dead_worker_can_claim_nothing(supervisor: Supervisor, services: Services) -> None:
    services.tasks.submit(SubmitRequest(name=NAME))
    services.workers.mark_stale_workers_dead(timedelta(seconds=-1))

    assert services.workers.claim(supervisor.worker, 1) == []
