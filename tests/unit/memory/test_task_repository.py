"""InMemoryTaskRepository beyond the contract: copies, the index under a manual clock, checks."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from scheduler_core.domain import PageRequest, TaskFilter, TaskInvalid, TaskStatus
from scheduler_core.memory import InMemoryStorage, ManualClock

from .conftest import LEASE, make_task


def test_the_caller_s_task_is_copied_on_add(storage: InMemoryStorage, clock: ManualClock) -> None:
    task = make_task(clock, args=[1], kwargs={"k": [1]})
    storage.tasks.add(task)

    task.args.append(2)
    task.kwargs["k"].append(2)
    task.priority = 99

    stored = storage.tasks.get(task.id)
    assert (stored.args, stored.kwargs, stored.priority) == ([1], {"k": [1]}, 0)


def test_every_read_hands_out_a_copy(storage: InMemoryStorage, clock: ManualClock) -> None:
    task = make_task(clock, args=["original"])
    storage.tasks.add(task)
    reads = [
        storage.tasks.get(task.id),
        *storage.tasks.find_by_status(TaskStatus.READY, 10),
        *storage.tasks.list(TaskFilter(), PageRequest()).items,
    ]

    for read in reads:
        read.args.append("changed")
        read.worker_ids.append("intruder")

    assert storage.tasks.get(task.id) == task


def test_claimed_and_extended_tasks_are_copies(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    storage.tasks.add(make_task(clock))
    [claimed] = storage.queue.claim("w1", ["default"], 1, LEASE)
    [extended] = storage.tasks.extend_leases("w1", {(claimed.id, claimed.attempt)}, LEASE)
    [running] = storage.tasks.find_by_status(TaskStatus.RUNNING, 1)

    claimed.worker_ids.append("x")
    extended.worker_ids.append("y")
    running.worker_ids.append("z")

    assert storage.tasks.get(claimed.id).worker_ids == ["w1"]


def test_a_delayed_task_becomes_claimable_when_the_clock_reaches_it(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    task = make_task(clock, delay=timedelta(minutes=10))
    storage.tasks.add(task)

    assert storage.queue.claim("w1", ["default"], 1, LEASE) == []
    assert storage.queue.length() == 0
    clock.advance(timedelta(minutes=10))
    assert storage.queue.length() == 1
    assert [t.id for t in storage.queue.claim("w1", ["default"], 1, LEASE)] == [task.id]


def test_run_now_makes_a_scheduled_task_claimable_without_enqueue(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    task = make_task(clock, delay=timedelta(days=1))
    storage.tasks.add(task)

    task.run_now(now=clock.now())
    storage.tasks.update(task, expected_status=TaskStatus.SCHEDULED, expected_attempt=0)

    assert [t.id for t in storage.queue.claim("w1", ["default"], 1, LEASE)] == [task.id]


def test_a_lease_expires_by_the_repository_clock(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    storage.tasks.add(make_task(clock))
    [task] = storage.queue.claim("w1", ["default"], 1, LEASE)

    assert storage.tasks.find_expired_leases(10) == []
    clock.advance(LEASE)
    assert [t.id for t in storage.tasks.find_expired_leases(10)] == [task.id]


def test_a_malformed_task_is_refused_and_nothing_is_stored(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    good = make_task(clock)
    bad = make_task(clock)
    bad.run_after = datetime(2026, 1, 1)  # naive: would break the heap's ordering

    with pytest.raises(TaskInvalid):
        storage.tasks.add_many([good, bad])

    assert sum(storage.tasks.count_by_status().values()) == 0


def test_a_terminal_task_does_not_hold_its_unique_key(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    finished = make_task(clock, unique_key="k")
    finished.cancel(now=clock.now())
    storage.tasks.add(finished)

    assert storage.tasks.find_live_by_unique_key("k") is None
    storage.tasks.add(make_task(clock, unique_key="k"))


def test_changing_a_unique_key_moves_the_claim_on_it(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    task = make_task(clock, unique_key="old")
    storage.tasks.add(task)

    task.unique_key = "new"
    storage.tasks.update(task, expected_status=TaskStatus.READY, expected_attempt=0)

    assert storage.tasks.find_live_by_unique_key("old") is None
    assert storage.tasks.find_live_by_unique_key("new") == task


def test_the_transitions_of_an_unknown_task_are_empty(storage: InMemoryStorage) -> None:
    assert storage.tasks.transitions(uuid4()) == []


def test_a_non_positive_limit_finds_nothing(storage: InMemoryStorage, clock: ManualClock) -> None:
    storage.tasks.add(make_task(clock))

    assert storage.tasks.find_by_status(TaskStatus.READY, 0) == []
    assert storage.tasks.find_expired_leases(-1) == []


def test_search_matches_non_ascii_text_as_written(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    task = make_task(clock, kwargs={"city": "Zürich"})
    storage.tasks.add(task)

    found = storage.tasks.list(TaskFilter(search="züRICH"), PageRequest()).items

    assert [t.id for t in found] == [task.id]


def test_a_task_starting_to_wait_notifies_the_condition(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    woke = threading.Event()
    waiting = threading.Event()

    def wait_for_work() -> None:
        with storage.tasks.condition:
            waiting.set()
            if storage.tasks.condition.wait(timeout=5):
                woke.set()

    waiter = threading.Thread(target=wait_for_work)
    waiter.start()
    assert waiting.wait(timeout=5)
    # The waiter released the lock inside wait(), so this add runs only once it is waiting.
    storage.tasks.add(make_task(clock))
    waiter.join()

    assert woke.is_set()
