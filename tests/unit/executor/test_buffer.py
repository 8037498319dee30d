"""The supervisor's local buffer: opened by short tasks, reconciled with the heartbeat."""

from __future__ import annotations

import time

import pytest

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.defaults import MAX_DROPPED_CLAIMS
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.executor.buffer_sizing import LONG_RUN
from scheduler_core.executor.config import WorkerConfig
from scheduler_core.executor.endings import Ending
from scheduler_core.executor.held import attempt_of
from scheduler_core.executor.supervisor import BUFFER_WHILE_TASKS_UNDER, Supervisor

from .supervising import claim, occupy_slot, write_round

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


def on_long_runs(supervisor: Supervisor, services: Services, count: int) -> None:
    """`count` slots busy with attempts that have run for twice LONG_RUN."""
    for task in claim(supervisor, services, NAME, count):
        occupy_slot(supervisor, task).started_at = time.monotonic() - 2 * LONG_RUN


def test_slots_all_busy_with_long_runs_close_the_buffer(
    supervisor: Supervisor, services: Services
) -> None:
    # Short tasks on average, so the buffer is open; then both slots take long ones.
    for _ in range(40):
        supervisor._note_duration(0.001)
    on_long_runs(supervisor, services, 2)

    supervisor._trim_buffer()
    # Closed while the long runs last: a finish of some other task does not reopen it.
    supervisor._note_duration(0.001)

    assert supervisor.capacity.free == 2


def test_a_slot_busy_with_a_long_run_opens_the_buffer_for_the_other_slot_only(
    supervisor: Supervisor,
    services: Services,
) -> None:
    for _ in range(60):
        supervisor._note_duration(0.045)
    free = supervisor.capacity.free
    on_long_runs(supervisor, services, 1)

    supervisor._trim_buffer()

    # Two slots at 45 ms a task: a quarter of a second each is 11 tasks; one slot left, 5.
    assert free - supervisor.capacity.free == 11 - 5


def test_tasks_buffered_for_a_long_run_go_back_and_fresh_ones_stay(
    supervisor: Supervisor, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(40):
        supervisor._note_duration(0.001)
    on_long_runs(supervisor, services, 2)
    old = buffered(supervisor, services, 3)
    later = time.monotonic() + 2 * LONG_RUN
    monkeypatch.setattr(time, "monotonic", lambda: later)
    fresh = buffered(supervisor, services, 2)

    supervisor._trim_buffer()
    write_round(supervisor)

    kept = [supervisor.pending.take()[0].id for _ in range(len(supervisor.pending))]
    assert kept == [task.id for task in fresh]
    for task in old:
        stored = services.tasks.status(task.id)
        assert (stored.status, stored.attempt, stored.dropped_claims) == (TaskStatus.READY, 0, 0)


def waited_past_a_long_run(
    supervisor: Supervisor, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Short tasks on average: the buffer is open. Three tasks have waited in it past
    LONG_RUN while both slots run tasks that began a little later, so not long runs yet."""
    for _ in range(40):
        supervisor._note_duration(0.001)
    buffered(supervisor, services, 3)
    later = time.monotonic() + LONG_RUN + 0.1
    for task in claim(supervisor, services, NAME, 2):
        occupy_slot(supervisor, task).started_at = later - LONG_RUN / 2
    monkeypatch.setattr(time, "monotonic", lambda: later)


def test_after_tasks_waited_too_long_the_buffer_stays_shut_until_a_slot_frees(
    supervisor: Supervisor, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    waited_past_a_long_run(supervisor, services, monkeypatch)

    supervisor._trim_buffer()

    # A CI run caught the old code claiming them again at once, to hand them back a
    # second later: no slot had come free for them, and none has since.
    assert len(supervisor.pending) == 0
    assert supervisor.capacity.free == 2
    supervisor._trim_buffer()
    assert supervisor.capacity.free == 2
    # An attempt finished: a slot is free, and the buffer opens again (32 per slot).
    supervisor._note_duration(0.001)
    assert supervisor.capacity.free == 2 + 64


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


def test_buffered_tasks_are_handed_back_when_stopping_at_once(
    supervisor: Supervisor, services: Services
) -> None:
    [task] = buffered(supervisor, services, 1)

    supervisor._release_running("a test")
    write_round(supervisor)

    assert not supervisor.pending
    stored = services.tasks.status(task.id)
    # Ready again at once, no attempt used; no lease left for the rescue to wait out.
    assert (stored.status, stored.attempt, stored.worker_id) == (TaskStatus.READY, 0, None)
    assert stored.dropped_claims == 0


def test_a_hand_back_lets_go_at_once_so_its_write_keeps_a_new_claim_of_the_same_attempt(
    supervisor: Supervisor, services: Services
) -> None:
    [task] = buffered(supervisor, services, 1)
    supervisor.held.hold([task])

    supervisor._release_running("a test")
    # Let go before it is written: the heartbeat extends the old claim no more.
    assert attempt_of(task) not in supervisor.held.snapshot()
    # The same attempt number held again, as a claim of the handed-back task by this very
    # worker would be; writing the hand-back must not let go of it.
    supervisor.held.hold([task])
    write_round(supervisor)

    assert attempt_of(task) in supervisor.held.snapshot()


def test_a_task_handed_back_by_more_stops_than_the_lost_claim_cap_costs_no_attempt(
    supervisor: Supervisor, services: Services
) -> None:
    """A chaos run found this: a task that waited in the buffers of eleven stopping workers
    was charged an attempt it never ran, as a claim lost with its worker is past the cap."""
    task = services.tasks.submit(SubmitRequest(name=NAME)).task
    for _ in range(MAX_DROPPED_CLAIMS + 2):
        claimed = services.workers.claim(supervisor.worker, 1, prefetch=1)
        assert [t.id for t in claimed] == [task.id]
        supervisor.pending.add(claimed)
        supervisor._release_running("a test")
        write_round(supervisor)
        services.rescuer.rescue_expired()

    [last] = services.workers.claim(supervisor.worker, 1, prefetch=1)
    assert last.attempt == 1


def test_a_buffered_task_asked_to_cancel_meanwhile_is_released_for_the_rescue_to_cancel(
    supervisor: Supervisor, services: Services
) -> None:
    [task] = buffered(supervisor, services, 1)
    services.tasks.cancel(task.id)

    supervisor._release_running("a test")
    write_round(supervisor)

    stored = services.tasks.status(task.id)
    assert stored.status is TaskStatus.RUNNING
    assert stored.lease_expires_at is not None
    assert stored.lease_expires_at <= services.clock.now()


def test_the_buffer_is_shut_before_the_first_task_that_waited_is_handed_back(
    supervisor: Supervisor, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A claim reserved while the hand-backs are queued must find the buffer already shut,
    # or it takes the handed-back tasks straight back (the fetcher's fault of round 12).
    waited_past_a_long_run(supervisor, services, monkeypatch)
    free_at_each_hand_back: list[int] = []
    end = supervisor._end

    def noting_end(task: Task, ending: Ending) -> None:
        free_at_each_hand_back.append(supervisor.capacity.free)
        end(task, ending)

    monkeypatch.setattr(supervisor, "_end", noting_end)

    supervisor._trim_buffer()

    assert free_at_each_hand_back == [2, 2, 2]
