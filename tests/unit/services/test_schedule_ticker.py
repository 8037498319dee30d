"""The ticker on in-memory storage: due schedules fire once, by the storage clock."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from scheduler_core.domain import CatchUp, PageRequest, Schedule, ScheduleInvalid, Task, TaskFilter
from scheduler_core.memory import InMemoryScheduleRepository, InMemoryStorage, ManualClock
from scheduler_core.schedules.cron import CroniterCalendar
from scheduler_core.services import ScheduleService, ScheduleTicker, TaskService

from .conftest import T0

HOUR = timedelta(hours=1)


@pytest.fixture
def ticker(
    schedules: InMemoryScheduleRepository, scheduler: TaskService, storage: InMemoryStorage
) -> ScheduleTicker:
    return ScheduleTicker(
        schedules=schedules, scheduler=scheduler, clock=storage.clock, calendar=CroniterCalendar()
    )


def hourly(**fields: Any) -> Schedule:
    """An hourly schedule of a registered task."""
    values: dict[str, Any] = {"name": "hourly", "task": "app.send_email", "cron": "0 * * * *"}
    return Schedule(**{**values, **fields})


def all_tasks(scheduler: TaskService) -> list[Task]:
    return list(scheduler.list(TaskFilter(), PageRequest(limit=500)).items)


def test_create_refuses_an_unknown_task_and_saves_nothing(
    schedule_service: ScheduleService, schedules: InMemoryScheduleRepository
) -> None:
    with pytest.raises(ScheduleInvalid) as raised:
        schedule_service.create(hourly(task="app.not_registered"))
    assert raised.value.field == "task"
    assert schedules.all() == []


def test_create_sets_the_first_run_and_refuses_a_taken_name(
    schedule_service: ScheduleService,
) -> None:
    created = schedule_service.create(hourly())
    assert created.next_run_at == T0 + HOUR
    with pytest.raises(ScheduleInvalid) as raised:
        schedule_service.create(hourly())
    assert raised.value.field == "name"


def test_a_due_schedule_fires_one_task_and_moves_on(
    schedule_service: ScheduleService,
    ticker: ScheduleTicker,
    scheduler: TaskService,
    clock: ManualClock,
    schedules: InMemoryScheduleRepository,
) -> None:
    schedule_service.create(hourly(args=[7], queue="mail", priority=5, max_attempts=2))
    assert ticker.tick().tasks == 0
    clock.advance(HOUR + timedelta(seconds=2))
    report = ticker.tick()
    assert (report.schedules, report.tasks) == (1, 1)
    assert ticker.tick().tasks == 0
    [task] = all_tasks(scheduler)
    assert (task.name, task.args, task.queue, task.priority, task.max_attempts) == (
        "app.send_email",
        [7],
        "mail",
        5,
        2,
    )
    assert task.unique_key == f"schedule:hourly:{(T0 + HOUR).isoformat()}"
    stored = schedules.get("hourly")
    assert (stored.last_run_at, stored.next_run_at) == (T0 + HOUR, T0 + 2 * HOUR)


@pytest.mark.parametrize(
    ("policy", "expected"), [(CatchUp.SKIP, 0), (CatchUp.ONCE, 1), (CatchUp.ALL, 3)]
)
def test_workers_down_across_several_ticks_follow_the_catch_up_policy(
    policy: CatchUp,
    expected: int,
    schedule_service: ScheduleService,
    ticker: ScheduleTicker,
    scheduler: TaskService,
    clock: ManualClock,
    schedules: InMemoryScheduleRepository,
) -> None:
    schedule_service.create(hourly(catch_up=policy, catch_up_limit=3))
    # Nobody ticked for five hours and a half: five runs were missed.
    clock.advance(5 * HOUR + timedelta(minutes=30))
    assert ticker.tick().tasks == expected
    assert len(all_tasks(scheduler)) == expected
    assert schedules.get("hourly").next_run_at == T0 + 6 * HOUR
    # Back to normal: the next tick on time fires once.
    clock.advance(timedelta(minutes=30, seconds=1))
    assert ticker.tick().tasks == 1


def test_disabled_schedules_do_not_fire(
    schedule_service: ScheduleService, ticker: ScheduleTicker, clock: ManualClock
) -> None:
    schedule_service.create(hourly(enabled=False))
    clock.advance(3 * HOUR)
    assert ticker.tick().tasks == 0


def test_a_failed_submit_rolls_the_advance_back(
    schedule_service: ScheduleService,
    ticker: ScheduleTicker,
    storage: InMemoryStorage,
    scheduler: TaskService,
    clock: ManualClock,
    schedules: InMemoryScheduleRepository,
) -> None:
    schedule_service.create(hourly())
    schedules.save(hourly(task="app.gone"))
    clock.advance(HOUR)
    assert ticker.tick().tasks == 0
    assert all_tasks(scheduler) == []
    # Still due: fixing the task lets the next pass fire the same due time.
    assert schedules.get("hourly").next_run_at == T0 + HOUR
    schedules.save(hourly())
    assert ticker.tick().tasks == 1


def test_tickers_racing_on_many_threads_fire_each_due_time_once(
    schedule_service: ScheduleService,
    ticker: ScheduleTicker,
    scheduler: TaskService,
    clock: ManualClock,
) -> None:
    schedule_service.create(hourly(catch_up=CatchUp.ALL))
    clock.advance(2 * HOUR)
    start = threading.Barrier(8)
    totals: list[int] = []

    def race() -> None:
        start.wait()
        totals.append(ticker.tick().tasks)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(totals) == [0] * 7 + [2]
    keys = sorted(task.unique_key or "" for task in all_tasks(scheduler))
    assert keys == [f"schedule:hourly:{(T0 + n * HOUR).isoformat()}" for n in (1, 2)]
