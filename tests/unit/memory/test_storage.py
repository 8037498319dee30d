"""InMemoryStorage.create: one clock and one task store behind every port."""

from __future__ import annotations

from datetime import timedelta

from scheduler_core.domain.ports import SystemClock
from scheduler_core.memory import InMemoryStorage, ManualClock

from .conftest import LEASE, make_task


def test_create_defaults_to_the_system_clock_and_an_empty_catalog() -> None:
    storage = InMemoryStorage.create()

    assert isinstance(storage.clock, SystemClock)
    assert storage.catalog.names() == []
    assert storage.queue.length() == 0


def test_create_wires_every_port_to_the_given_clock_and_names(clock: ManualClock) -> None:
    storage = InMemoryStorage.create(clock=clock, task_names=["app.b", "app.a"])
    task = make_task(clock, delay=timedelta(seconds=5))
    storage.tasks.add(task)

    assert storage.clock is clock
    assert storage.catalog.names() == ["app.a", "app.b"]
    assert storage.queue.claim("w1", ["default"], 1, LEASE) == []
    clock.advance(timedelta(seconds=5))
    assert [t.id for t in storage.queue.claim("w1", ["default"], 1, LEASE)] == [task.id]


def test_two_storages_share_nothing(clock: ManualClock) -> None:
    first = InMemoryStorage.create(clock=clock)
    second = InMemoryStorage.create(clock=clock)

    first.tasks.add(make_task(clock))

    assert second.queue.length() == 0
    assert first.queue.length() == 1
