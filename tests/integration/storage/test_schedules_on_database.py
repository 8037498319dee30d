"""Schedules on SQLite and PostgreSQL: racing tickers fire each due time once, by the DB clock."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connections
from freezegun import freeze_time

from scheduler_core.bootstrap import Services
from scheduler_core.domain import (
    CatchUp,
    PageRequest,
    Schedule,
    TaskFilter,
)
from scheduler_core.storage import DjangoScheduleRepository

TICKERS = 6


def every(seconds: int, **fields: object) -> Schedule:
    """An interval schedule of a registered task that catches up on every missed run."""
    return Schedule(
        name=f"every-{seconds}",
        task="demo.noop",
        interval_seconds=seconds,
        catch_up=CatchUp.ALL,
        **fields,  # type: ignore[arg-type]
    )


def task_keys(services: Services) -> list[str]:
    page = services.tasks.list(TaskFilter(), PageRequest(limit=500))
    return sorted(task.unique_key or "" for task in page.items)


def make_due(services: Services, alias: str, schedule: Schedule, ago: timedelta) -> datetime:
    """Create `schedule` with its first run `ago` before the database's now; return that run."""
    first = services.clock.now() - ago
    services.schedules.create(schedule)
    DjangoScheduleRepository(alias).reschedule(schedule.name, first)
    return first


def test_tickers_racing_on_threads_fire_each_due_time_exactly_once(
    alias: str, services: Services
) -> None:
    first = make_due(services, alias, every(10), timedelta(seconds=35))
    start = threading.Barrier(TICKERS)
    fired: list[int] = []

    def race() -> None:
        try:
            start.wait()
            fired.append(services.ticker.tick().tasks)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race) for _ in range(TICKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Due at -35, -25, -15 and -5 seconds: one ticker won all four; the rest won nothing.
    assert sorted(fired) == [0] * (TICKERS - 1) + [4]
    expected = [
        f"schedule:every-10:{(first + timedelta(seconds=10 * n)).isoformat()}" for n in range(4)
    ]
    assert task_keys(services) == expected


def test_a_worker_clock_ahead_fires_nothing_early(services: Services) -> None:
    services.schedules.create(every(600))
    db_now = services.clock.now()
    with freeze_time(db_now + timedelta(hours=1), tick=True):
        assert services.ticker.tick().tasks == 0
    assert task_keys(services) == []


@pytest.mark.parametrize("skew", [timedelta(hours=-1), timedelta(hours=1)])
def test_a_skewed_worker_clock_neither_skips_nor_double_fires(
    alias: str, services: Services, skew: timedelta
) -> None:
    first = make_due(services, alias, every(600), timedelta(seconds=1))
    with freeze_time(services.clock.now() + skew, tick=True):
        assert services.ticker.tick().tasks == 1
        assert services.ticker.tick().tasks == 0
    assert task_keys(services) == [f"schedule:every-600:{first.isoformat()}"]


def test_a_failed_enqueue_rolls_the_advance_back(alias: str, services: Services) -> None:
    first = make_due(services, alias, every(600), timedelta(seconds=1))
    repository = DjangoScheduleRepository(alias)
    broken = repository.get("every-600")
    broken.task = "demo.not_registered"
    repository.save(broken)
    assert services.ticker.tick().tasks == 0
    assert repository.get("every-600").next_run_at == first
    assert task_keys(services) == []
