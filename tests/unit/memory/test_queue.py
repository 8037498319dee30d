"""InMemoryQueue beyond the contract: clock jumps, wake-ups, argument checks, many threads."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from datetime import timedelta
from uuid import UUID

import pytest

from scheduler_core.domain import QueueEmpty, TaskNotFound, TaskStatus
from scheduler_core.domain.ports import SystemClock
from scheduler_core.memory import InMemoryStorage, ManualClock

from .conftest import LEASE, make_task

PATIENCE = 5.0


def test_dequeue_wakes_when_the_clock_jumps_past_a_delayed_task(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    task = make_task(clock, delay=timedelta(hours=1))
    storage.tasks.add(task)
    jump = threading.Timer(0.05, clock.advance, args=(timedelta(hours=1),))

    started = time.monotonic()
    jump.start()
    claimed = storage.queue.dequeue("w1", ["default"], LEASE, timeout=PATIENCE)
    jump.join()

    assert claimed.id == task.id
    assert time.monotonic() - started < 1


def test_dequeue_waits_on_a_real_clock_until_a_delayed_task_falls_due() -> None:
    storage = InMemoryStorage.create(clock=SystemClock())
    now = storage.clock.now()
    task = make_task(ManualClock(now), delay=timedelta(milliseconds=100))
    storage.tasks.add(task)

    started = time.monotonic()
    claimed = storage.queue.dequeue("w1", ["default"], LEASE, timeout=PATIENCE)
    waited = time.monotonic() - started

    assert claimed.id == task.id
    assert 0.08 <= waited < 1


def test_dequeue_wakes_for_a_task_stored_without_enqueue(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    task = make_task(clock)
    adder = threading.Timer(0.05, storage.tasks.add, args=(task,))

    started = time.monotonic()
    adder.start()
    claimed = storage.queue.dequeue("w1", ["default"], LEASE, timeout=PATIENCE)
    adder.join()

    assert claimed.id == task.id
    assert time.monotonic() - started < PATIENCE / 2


def test_dequeue_with_zero_timeout_tries_once(storage: InMemoryStorage) -> None:
    with pytest.raises(QueueEmpty):
        storage.queue.dequeue("w1", ["default"], LEASE, timeout=0)


def test_a_claim_after_the_clock_went_back_leaves_no_longer_due_tasks(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    task = make_task(clock)
    storage.tasks.add(task)
    start = clock.now()

    clock.set(start - timedelta(minutes=1))
    assert storage.queue.claim("w1", ["default"], 1, LEASE) == []
    clock.set(start)
    assert [t.id for t in storage.queue.claim("w1", ["default"], 1, LEASE)] == [task.id]


def test_cancelled_tasks_left_in_the_heap_are_skipped(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    urgent = make_task(clock, priority=50)
    normal = make_task(clock)
    storage.tasks.add_many([urgent, normal])
    urgent.cancel(now=clock.now())
    storage.tasks.update(urgent, expected_status=TaskStatus.READY, expected_attempt=0)

    assert [t.id for t in storage.queue.claim("w1", ["default"], 5, LEASE)] == [normal.id]
    assert storage.tasks.get(urgent.id).status is TaskStatus.CANCELLED


def test_enqueue_only_wakes_and_changes_no_task(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    storage.tasks.add(make_task(clock))
    [running] = storage.queue.claim("w1", ["default"], 1, LEASE)
    unknown = make_task(clock)

    # A task claimed (or never stored) before the wake-up is no error: there is nothing to do.
    storage.queue.enqueue(running)
    storage.queue.enqueue(unknown)

    assert storage.queue.claim("w2", ["default"], 5, LEASE) == []
    assert storage.tasks.get(running.id).status is TaskStatus.RUNNING
    with pytest.raises(TaskNotFound):
        storage.tasks.get(unknown.id)


def test_enqueue_wakes_a_waiting_claimer(storage: InMemoryStorage, clock: ManualClock) -> None:
    task = make_task(clock)
    storage.tasks.add(task)
    woke = threading.Event()
    waiting = threading.Event()

    def wait_for_work() -> None:
        with storage.tasks.condition:
            waiting.set()
            if storage.tasks.condition.wait(timeout=PATIENCE):
                woke.set()

    waiter = threading.Thread(target=wait_for_work)
    waiter.start()
    assert waiting.wait(timeout=PATIENCE)
    storage.queue.enqueue(task)
    waiter.join()

    assert woke.is_set()


@pytest.mark.parametrize(
    ("queues", "limit"),
    [("default", 1), ([], 1), (["default"], True), (["default"], 1.5)],
    ids=["bare string", "no queue", "bool limit", "float limit"],
)
def test_claim_arguments_are_checked(
    storage: InMemoryStorage, queues: object, limit: object
) -> None:
    with pytest.raises(ValueError):
        storage.queue.claim("w1", queues, limit, LEASE)  # type: ignore[arg-type]


@pytest.mark.parametrize("timeout", [-1.0, math.nan, math.inf])
def test_dequeue_timeout_must_be_finite_and_not_negative(
    storage: InMemoryStorage, timeout: float
) -> None:
    with pytest.raises(ValueError):
        storage.queue.dequeue("w1", ["default"], LEASE, timeout=timeout)


def test_producers_and_consumers_on_many_threads_lose_and_double_nothing(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    per_producer, producers, consumers = 250, 4, 4
    done_producing = threading.Event()
    taken: list[UUID] = []
    taken_lock = threading.Lock()

    def produce() -> None:
        for _ in range(per_producer):
            storage.tasks.add(make_task(clock))

    def consume(worker: str) -> None:
        while True:
            try:
                task = storage.queue.dequeue(worker, ["default"], LEASE, timeout=0.01)
            except QueueEmpty:
                if done_producing.is_set() and storage.queue.length() == 0:
                    return
                continue
            with taken_lock:
                taken.append(task.id)

    threads = [threading.Thread(target=consume, args=(f"w{i}",)) for i in range(consumers)]
    makers = [threading.Thread(target=produce) for _ in range(producers)]
    for thread in threads + makers:
        thread.start()
    for maker in makers:
        maker.join()
    done_producing.set()
    for thread in threads:
        thread.join(timeout=PATIENCE * 4)

    counts = Counter(taken)
    assert len(counts) == per_producer * producers
    assert max(counts.values()) == 1
    assert storage.tasks.count_by_status()[TaskStatus.RUNNING] == per_producer * producers
