"""The outcome writer: stores finished attempts off the main loop, then frees their capacity."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.executor.codec import Outcome
from scheduler_core.executor.config import WorkerConfig
from scheduler_core.executor.endings import Settled
from scheduler_core.executor.events import Controlled, Finished
from scheduler_core.executor.held import HeldAttempts
from scheduler_core.executor.outcomes import OutcomeRecorder
from scheduler_core.executor.slots import ThreadSlot
from scheduler_core.executor.supervisor import Supervisor
from scheduler_core.executor.writer import OutcomeWriter

NAME = "tests.noop"


class GatedRecorder(OutcomeRecorder):
    """Writes like the real recorder, but each batch waits until the test opens the gate."""

    def __init__(self, services: Services) -> None:
        super().__init__(services, None, HeldAttempts())
        self.gate = threading.Event()
        self.gate.set()
        self.batches: list[list[Task]] = []
        self.fail_next = False

    def record_many(self, finished: Sequence[Settled], started: Sequence[Task] = ()) -> None:
        self.batches.append([task for task, _ in finished])
        assert self.gate.wait(timeout=10)
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("a bug in the write path")
        super().record_many(finished, started)


@pytest.fixture
def services() -> Services:
    made = build_services("memory", task_names=[NAME])
    return made


@pytest.fixture
def recorder(services: Services) -> GatedRecorder:
    return GatedRecorder(services)


@pytest.fixture
def freed() -> list[int]:
    return []


@pytest.fixture
def writer(recorder: GatedRecorder, freed: list[int]) -> Iterator[OutcomeWriter]:
    made = OutcomeWriter(recorder, freed.append)
    made.start()
    yield made
    recorder.gate.set()
    made.stop(timeout=10)
    assert not made.is_alive()


def claimed(services: Services, count: int) -> list[Task]:
    for _ in range(count):
        services.tasks.submit(SubmitRequest(name=NAME))
    worker = Supervisor(WorkerConfig(concurrency=count, pool="thread", worker_id="w1"), services)
    services.workers.register(worker.worker)
    services.workers.start("w1")
    return services.workers.claim(worker.worker, count)


def success(task: Task) -> tuple[Task, Outcome]:
    return task, Outcome(task_id=task.id, attempt=task.attempt, succeeded=True, result=1)


def test_outcomes_are_written_and_only_then_their_capacity_freed(
    services: Services, recorder: GatedRecorder, writer: OutcomeWriter, freed: list[int]
) -> None:
    tasks = claimed(services, 2)
    recorder.held.hold(tasks)
    recorder.gate.clear()

    writer.submit([success(task) for task in tasks])

    assert not writer.flush(timeout=0.2)
    assert not writer.idle
    # Still held while unwritten: the heartbeat goes on extending their leases.
    assert all(task in recorder.held for task in tasks)
    assert freed == []
    assert services.tasks.status(tasks[0].id).status is TaskStatus.RUNNING
    recorder.gate.set()
    assert writer.flush(timeout=5)
    assert len(recorder.held) == 0
    assert sum(freed) == 2
    for task in tasks:
        assert services.tasks.status(task.id).status is TaskStatus.SUCCEEDED


def test_what_finishes_during_a_write_goes_into_the_next_batch_together(
    services: Services, recorder: GatedRecorder, writer: OutcomeWriter
) -> None:
    first, *rest = claimed(services, 4)
    recorder.gate.clear()
    writer.submit([success(first)])
    deadline = time.monotonic() + 5
    while not recorder.batches and time.monotonic() < deadline:
        time.sleep(0.01)

    for task in rest:
        writer.submit([success(task)])
    recorder.gate.set()

    assert writer.flush(timeout=5)
    assert [[task.id for task in batch] for batch in recorder.batches] == [
        [first.id],
        [task.id for task in rest],
    ]


def test_a_failing_write_neither_kills_the_writer_nor_keeps_the_capacity(
    services: Services, recorder: GatedRecorder, writer: OutcomeWriter, freed: list[int]
) -> None:
    broken, fine = claimed(services, 2)
    recorder.held.hold([broken, fine])
    recorder.fail_next = True

    writer.submit([success(broken)])
    assert writer.flush(timeout=5)
    writer.submit([success(fine)])
    assert writer.flush(timeout=5)

    assert sum(freed) == 2
    # The lost write leaves the task running; its lease expires and the rescuer retries it.
    assert services.tasks.status(broken.id).status is TaskStatus.RUNNING
    assert services.tasks.status(fine.id).status is TaskStatus.SUCCEEDED
    # ...which it can do only once the heartbeat no longer extends that lease.
    assert broken not in recorder.held


def test_stopping_writes_what_is_waiting_first(services: Services, recorder: GatedRecorder) -> None:
    tasks = claimed(services, 3)
    writer = OutcomeWriter(recorder, lambda count: None)
    writer.submit([success(task) for task in tasks])

    writer.start()
    writer.stop(timeout=10)

    assert not writer.is_alive()
    for task in tasks:
        assert services.tasks.status(task.id).status is TaskStatus.SUCCEEDED


def test_the_supervisor_frees_a_slot_at_once_but_its_capacity_after_the_write(
    services: Services,
) -> None:
    supervisor = Supervisor(WorkerConfig(concurrency=1, pool="thread", worker_id="w1"), services)
    recorder = GatedRecorder(services)
    supervisor.writer = OutcomeWriter(recorder, supervisor._freed)
    supervisor.writer.start()
    services.workers.register(supervisor.worker)
    services.workers.start("w1")
    services.tasks.submit(SubmitRequest(name=NAME))
    assert supervisor.capacity.reserve(timeout=1) == 1
    [task] = services.workers.claim(supervisor.worker, 1)
    slot = ThreadSlot(supervisor.inbox)
    slot.task, slot.started_at = task, time.monotonic()
    recorder.gate.clear()

    supervisor._handle(Finished(slot, success(task)[1]))
    supervisor._hand_over_finished()

    assert not slot.busy
    assert supervisor.capacity.free == 0
    recorder.gate.set()
    assert supervisor.writer.flush(timeout=5)
    assert supervisor.capacity.free == 1
    assert services.tasks.status(task.id).status is TaskStatus.SUCCEEDED
    supervisor.writer.stop(timeout=5)


def test_a_drain_ends_only_once_the_outcomes_are_written(services: Services) -> None:
    supervisor = Supervisor(WorkerConfig(concurrency=1, pool="thread", worker_id="w1"), services)
    recorder = GatedRecorder(services)
    supervisor.writer = OutcomeWriter(recorder, supervisor._freed)
    supervisor.writer.start()
    [task] = claimed(services, 1)
    recorder.gate.clear()
    supervisor.writer.submit([success(task)])
    supervisor.draining_since = time.monotonic()
    codes: list[int] = []
    loop = threading.Thread(target=lambda: codes.append(supervisor._loop()), daemon=True)

    loop.start()
    loop.join(timeout=0.5)
    assert loop.is_alive(), "the drain ended with an outcome unwritten"
    recorder.gate.set()
    loop.join(timeout=5)

    assert codes == [0]
    assert services.tasks.status(task.id).status is TaskStatus.SUCCEEDED
    supervisor.writer.stop(timeout=5)


@pytest.mark.parametrize("ending", ["cancel", "timeout"])
def test_an_ending_the_worker_decides_is_written_by_the_writer_not_the_main_loop(
    services: Services, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    supervisor = Supervisor(WorkerConfig(concurrency=1, pool="thread", worker_id="w1"), services)
    [task] = claimed(services, 1)
    task.timeout = 1
    slot = ThreadSlot(supervisor.inbox)
    slot.task, slot.started_at = task, time.monotonic() - 2
    supervisor.slots.append(slot)
    supervisor.held.hold([task])
    if ending == "cancel":
        services.tasks.cancel(task.id, actor="operator")
    # The database hangs: whoever writes the ending waits until the test lets it go.
    gate = threading.Event()
    writers: list[str] = []
    workers = services.workers
    for name in ("confirm_cancel", "fail_attempt"):
        original = getattr(workers, name)

        def hanging(*args: object, _original: Any = original, **kwargs: object) -> object:
            writers.append(threading.current_thread().name)
            assert gate.wait(timeout=10)
            return _original(*args, **kwargs)

        monkeypatch.setattr(workers, name, hanging)
    supervisor.writer.start()

    def one_round() -> None:
        if ending == "cancel":
            supervisor._handle(Controlled(None, frozenset({(task.id, task.attempt)})))
        else:
            supervisor._enforce_timeouts()
        supervisor._hand_over_finished()

    loop = threading.Thread(target=one_round, daemon=True)
    loop.start()
    loop.join(timeout=2)
    try:
        # The main loop went on (to dispatch the next task) while the write hangs.
        assert not loop.is_alive(), "the main loop waited for the database"
        assert slot.retired and len(supervisor.held) == 1
    finally:
        gate.set()
    assert supervisor.writer.flush(timeout=5)
    assert writers == ["outcome-writer"]
    assert len(supervisor.held) == 0
    expected = TaskStatus.CANCELLED if ending == "cancel" else TaskStatus.RETRYING
    assert services.tasks.status(task.id).status is expected
    supervisor.writer.stop(timeout=5)
