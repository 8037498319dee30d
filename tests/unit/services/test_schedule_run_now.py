"""Run now and the timing preview of the schedule service, on in-memory storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scheduler_core.domain import (
    PageRequest,
    Schedule,
    ScheduleInvalid,
    ScheduleNotFound,
    Task,
    TaskFilter,
    TaskStatus,
)
from scheduler_core.memory import InMemoryScheduleRepository, InMemoryStorage, ManualClock
from scheduler_core.schedules.cron import CroniterCalendar
from scheduler_core.services import ScheduleService, ScheduleTicker, TaskService

from .conftest import T0


def nightly(**fields: Any) -> Schedule:
    """A nightly schedule of a registered task with every task option set."""
    values: dict[str, Any] = {
        "name": "nightly",
        "task": "app.send_email",
        "cron": "0 3 * * *",
        "args": [1, "two"],
        "kwargs": {"to": "ops@example.com"},
        "queue": "mail",
        "priority": 7,
        "max_attempts": 4,
    }
    return Schedule(**{**values, **fields})


def all_tasks(scheduler: TaskService) -> list[Task]:
    return list(scheduler.list(TaskFilter(), PageRequest(limit=500)).items)


def test_run_now_submits_one_task_with_the_schedules_options(
    schedule_service: ScheduleService, scheduler: TaskService
) -> None:
    schedule_service.create(nightly())

    task = schedule_service.run_now("nightly", actor="alice")

    assert all_tasks(scheduler) == [task]
    assert (task.name, task.args, task.kwargs) == (
        "app.send_email",
        [1, "two"],
        {"to": "ops@example.com"},
    )
    assert (task.queue, task.priority, task.max_attempts) == ("mail", 7, 4)
    assert task.status is TaskStatus.READY
    # The key a firing at this instant would get: the task counts as a run of the schedule.
    assert task.unique_key == f"schedule:nightly:{T0.isoformat()}"


def test_run_now_leaves_the_next_and_last_run_alone(schedule_service: ScheduleService) -> None:
    created = schedule_service.create(nightly())

    schedule_service.run_now("nightly")

    stored = schedule_service.get("nightly")
    assert stored.next_run_at == created.next_run_at == datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert stored.last_run_at is None


def test_run_now_works_on_a_paused_schedule(
    schedule_service: ScheduleService, scheduler: TaskService
) -> None:
    schedule_service.create(nightly(enabled=False))

    task = schedule_service.run_now("nightly")

    assert [t.id for t in all_tasks(scheduler)] == [task.id]
    assert schedule_service.get("nightly").enabled is False


def test_each_run_now_adds_a_task(
    schedule_service: ScheduleService, scheduler: TaskService, clock: ManualClock
) -> None:
    schedule_service.create(nightly())

    first = schedule_service.run_now("nightly")
    clock.advance(timedelta(seconds=1))
    second = schedule_service.run_now("nightly")

    assert first.id != second.id
    assert len(all_tasks(scheduler)) == 2


def test_run_now_of_an_unknown_schedule_submits_nothing(
    schedule_service: ScheduleService, scheduler: TaskService
) -> None:
    with pytest.raises(ScheduleNotFound):
        schedule_service.run_now("nope")
    assert all_tasks(scheduler) == []


def test_the_ticker_still_fires_the_due_time_after_a_run_now(
    schedule_service: ScheduleService,
    schedules: InMemoryScheduleRepository,
    scheduler: TaskService,
    storage: InMemoryStorage,
    clock: ManualClock,
) -> None:
    schedule_service.create(nightly())
    schedule_service.run_now("nightly")
    ticker = ScheduleTicker(
        schedules=schedules, scheduler=scheduler, clock=storage.clock, calendar=CroniterCalendar()
    )

    clock.set(datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    report = ticker.tick()

    assert (report.schedules, report.tasks) == (1, 1)
    assert len(all_tasks(scheduler)) == 2


def test_preview_lists_the_next_runs_in_utc(schedule_service: ScheduleService) -> None:
    runs = schedule_service.preview(
        cron="0 6 * * 1-5", interval_seconds=None, timezone="Europe/Berlin"
    )

    # T0 is Sunday 1 March 2026, 12:00 UTC; 06:00 in Berlin is 05:00 UTC in winter.
    assert runs == [datetime(2026, 3, day, 5, 0, tzinfo=UTC) for day in (2, 3, 4, 5, 6)]


def test_preview_of_an_interval_counts_from_now(schedule_service: ScheduleService) -> None:
    runs = schedule_service.preview(cron=None, interval_seconds=90, timezone="UTC", count=3)

    assert runs == [T0 + timedelta(seconds=90 * n) for n in (1, 2, 3)]


@pytest.mark.parametrize(
    ("timing", "field"),
    [
        ({"cron": "61 * * * *", "interval_seconds": None, "timezone": "UTC"}, "cron"),
        ({"cron": "* * *", "interval_seconds": None, "timezone": "UTC"}, "cron"),
        ({"cron": None, "interval_seconds": None, "timezone": "UTC"}, "cron"),
        ({"cron": "@hourly", "interval_seconds": 60, "timezone": "UTC"}, "cron"),
        ({"cron": None, "interval_seconds": 0, "timezone": "UTC"}, "interval_seconds"),
        ({"cron": None, "interval_seconds": -5, "timezone": "UTC"}, "interval_seconds"),
        ({"cron": "@daily", "interval_seconds": None, "timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_preview_of_a_bad_timing_names_the_field(
    schedule_service: ScheduleService, timing: dict[str, Any], field: str
) -> None:
    with pytest.raises(ScheduleInvalid) as raised:
        schedule_service.preview(**timing)
    assert raised.value.field == field
