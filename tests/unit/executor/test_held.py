"""The heartbeat extends only the attempts the supervisor holds; the rest lapse and are rescued."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import DatabaseError

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.executor import outcomes
from scheduler_core.executor.codec import Outcome
from scheduler_core.executor.endings import RELEASED
from scheduler_core.executor.events import Claimed, Event, Heartbeat
from scheduler_core.executor.held import HeldAttempts, attempt_of
from scheduler_core.executor.inbox import Inbox
from scheduler_core.executor.supervisor import Supervisor
from scheduler_core.memory import ManualClock

from . import supervising
from .supervising import occupy_slot, started_supervisor, write_round

NAME = "tests.noop"
LEASE = timedelta(seconds=30)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def services(clock: ManualClock) -> Services:
    return build_services("memory", task_names=[NAME], clock=clock, lease=LEASE)


@pytest.fixture
def supervisor(services: Services) -> Supervisor:
    return started_supervisor(services, lease=LEASE, heartbeat_interval=10)


def claim(supervisor: Supervisor, services: Services, count: int) -> list[Task]:
    """Claim `count` new tasks for the supervisor's worker and hold them, as the fetcher does."""
    claimed = supervising.claim(supervisor, services, NAME, count)
    supervisor.held.hold(claimed)
    return claimed


def give_up_writing(monkeypatch: pytest.MonkeyPatch, services: Services) -> None:
    """Every outcome write fails as if the database were away; the recorder retries at once."""

    def database_away(*args: object, **kwargs: object) -> None:
        raise DatabaseError("the database is away")

    monkeypatch.setattr(outcomes, "WRITE_PAUSE", 0)
    monkeypatch.setattr(outcomes, "close_old_connections", lambda: None)
    monkeypatch.setattr(services.workers, "complete", database_away)


def success(task: Task) -> Outcome:
    return Outcome(task_id=task.id, attempt=task.attempt, succeeded=True)


def heartbeats(inbox: Inbox) -> list[Heartbeat]:
    """The Heartbeat events waiting in the inbox, taken out of it (the others stay)."""
    found: list[Heartbeat] = []
    others: list[Event] = []
    while not inbox.empty():
        event = inbox.get_nowait()
        if isinstance(event, Heartbeat):
            found.append(event)
        else:
            others.append(event)
    for event in others:
        inbox.put(event)
    return found


def test_the_supervisor_shares_one_holder_with_its_threads(supervisor: Supervisor) -> None:
    held = supervisor.held
    assert supervisor.fetcher.held is held
    assert supervisor.heartbeat.held is held
    assert supervisor.recorder.held is held


def test_held_attempts_are_pairs_of_id_and_attempt() -> None:
    held = HeldAttempts()
    task = Task.create(NAME, now=ManualClock().now())
    task.claim("w1", now=ManualClock().now(), lease=LEASE)
    held.hold([task])
    assert held.snapshot() == {(task.id, 1)}
    assert task in held and len(held) == 1

    task.attempt = 2
    assert task not in held
    held.let_go([task])
    assert len(held) == 1
    task.attempt = 1
    held.let_go([task])
    assert len(held) == 0 and held.snapshot() == frozenset()


def test_the_fetcher_holds_a_claim_before_the_supervisor_hears_of_it(
    supervisor: Supervisor, services: Services
) -> None:
    services.tasks.submit(SubmitRequest(name=NAME))
    fetcher = supervisor.fetcher
    fetcher.start()
    try:
        event = supervisor.inbox.get(timeout=10)
    finally:
        fetcher.stopping.set()
        fetcher.join(timeout=10)

    assert isinstance(event, Claimed)
    [task] = event.tasks
    assert supervisor.held.snapshot() == {(task.id, task.attempt)}


def test_an_outcome_written_lets_go_of_its_attempt(
    supervisor: Supervisor, services: Services
) -> None:
    one, two, three, four = claim(supervisor, services, 4)

    supervisor.recorder.record(one, success(one))
    supervisor.recorder.record_many([(two, success(two)), (three, success(three))])
    supervisor.recorder.record(four, RELEASED)

    assert len(supervisor.held) == 0
    assert services.tasks.status(one.id).status is TaskStatus.SUCCEEDED
    assert services.tasks.status(three.id).status is TaskStatus.SUCCEEDED


def test_an_outcome_the_recorder_gave_up_on_is_let_go(
    supervisor: Supervisor, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, abandoned = claim(supervisor, services, 2)
    give_up_writing(monkeypatch, services)

    supervisor.recorder.record(abandoned, success(abandoned))

    assert supervisor.held.snapshot() == {(kept.id, kept.attempt)}
    assert services.tasks.status(abandoned.id).status is TaskStatus.RUNNING


def test_attempts_stopped_by_the_lease_guard_are_let_go(
    supervisor: Supervisor, services: Services
) -> None:
    running, waiting = claim(supervisor, services, 2)
    lapsed = time.monotonic() - LEASE.total_seconds()
    occupy_slot(supervisor, running, lease_sent_at=lapsed)
    supervisor.pending.add([waiting], lapsed)

    supervisor.guard.stop_lapsing()

    # A heartbeat that gets through again must not keep their leases alive.
    assert len(supervisor.held) == 0


def test_a_task_whose_outcome_went_unwritten_lapses_and_is_rescued_while_the_rest_live(
    supervisor: Supervisor,
    services: Services,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The supervisor holds one task in a slot, one buffered and one claim still in its inbox."""
    running, buffered, arriving, abandoned = claim(supervisor, services, 4)
    slot = occupy_slot(supervisor, running)
    supervisor.pending.add([buffered])
    supervisor.inbox.put(Claimed([arriving], time.monotonic()))
    # It ran (its start was stamped), so losing it costs its attempt.
    services.workers.mark_started("w1", [(abandoned.id, abandoned.attempt)])
    give_up_writing(monkeypatch, services)
    supervisor.recorder.record(abandoned, success(abandoned))
    monkeypatch.undo()

    # Well past the lease, heartbeat by heartbeat, each within the lease of the one before.
    rescued_count = 0
    for _ in range(4):
        clock.advance(LEASE * 0.6)
        supervisor.heartbeat.beat()
        rescued_count += services.rescuer.rescue_expired().rescued
        [beat] = heartbeats(supervisor.inbox)
        assert {task.id for task in beat.running} == {running.id, buffered.id, arriving.id}
        supervisor._handle(beat)

    assert rescued_count == 1
    rescued = services.tasks.status(abandoned.id)
    assert rescued.status is not TaskStatus.RUNNING
    assert rescued.attempt == abandoned.attempt
    for task in (running, buffered, arriving):
        assert services.tasks.status(task.id).status is TaskStatus.RUNNING
    # Nothing the supervisor holds was taken for lost.
    assert slot.task is running and not slot.retired
    assert len(supervisor.pending) == 1
    [event] = [supervisor.inbox.get_nowait()]
    assert isinstance(event, Claimed) and event.tasks == [arriving]


def test_a_heartbeat_forgets_the_attempts_the_store_no_longer_runs_here(
    supervisor: Supervisor, services: Services
) -> None:
    kept, cancelled_elsewhere = claim(supervisor, services, 2)
    services.tasks.cancel(cancelled_elsewhere.id, actor="operator")
    services.workers.confirm_cancel(cancelled_elsewhere)

    supervisor.heartbeat.beat()

    assert supervisor.held.snapshot() == {(kept.id, kept.attempt)}
    [beat] = heartbeats(supervisor.inbox)
    assert [task.id for task in beat.running] == [kept.id]


def test_a_snooze_lets_go_at_once_so_its_write_keeps_a_new_claim_of_the_same_attempt(
    supervisor: Supervisor, services: Services
) -> None:
    # A snooze, like a hand-back, gives the attempt number back: once written, this very
    # worker may claim the task again under the same number before the writer lets go.
    [task] = claim(supervisor, services, 1)
    snoozed = Outcome(task_id=task.id, attempt=task.attempt, succeeded=False, snooze=0.0)

    supervisor._end(task, snoozed)
    assert attempt_of(task) not in supervisor.held.snapshot()
    supervisor.held.hold([task])
    write_round(supervisor)

    assert services.tasks.status(task.id).status is TaskStatus.SCHEDULED
    assert attempt_of(task) in supervisor.held.snapshot()
