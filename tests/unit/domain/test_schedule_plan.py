"""plan_fires: what fires after downtime under each catch-up policy, and the next run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scheduler_core.domain import CatchUp, Schedule, plan_fires
from scheduler_core.domain.schedule_plan import SKIP_GRACE, successor
from scheduler_core.schedules.cron import CroniterCalendar

CALENDAR = CroniterCalendar()
HOUR = timedelta(hours=1)
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def hourly(**fields: Any) -> Schedule:
    """An hourly schedule due at T0."""
    values: dict[str, Any] = {"name": "h", "task": "app.report", "cron": "@hourly"}
    return Schedule(**{**values, "next_run_at": T0, **fields})


def test_nothing_is_planned_before_the_next_run_or_when_disabled() -> None:
    assert plan_fires(hourly(), T0 - timedelta(seconds=1), CALENDAR) is None
    assert plan_fires(hourly(enabled=False), T0 + HOUR, CALENDAR) is None
    assert plan_fires(hourly(next_run_at=None), T0, CALENDAR) is None


def test_an_on_time_tick_fires_its_due_time_under_every_policy() -> None:
    for policy in CatchUp:
        plan = plan_fires(hourly(catch_up=policy), T0 + timedelta(seconds=3), CALENDAR)
        assert plan is not None
        assert plan.fire_times == (T0,)
        assert plan.next_run_at == T0 + HOUR


# Workers were down from just before T0 until 4h10m later: T0 and 4 more ticks were missed.
DOWN_UNTIL = T0 + 4 * HOUR + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("policy", "limit", "fired"),
    [
        (CatchUp.SKIP, 10, ()),
        (CatchUp.ONCE, 10, (T0,)),
        (CatchUp.ALL, 10, tuple(T0 + n * HOUR for n in range(5))),
        (CatchUp.ALL, 3, (T0, T0 + HOUR, T0 + 2 * HOUR)),
    ],
)
def test_catch_up_after_downtime_across_several_ticks(
    policy: CatchUp, limit: int, fired: tuple[datetime, ...]
) -> None:
    plan = plan_fires(hourly(catch_up=policy, catch_up_limit=limit), DOWN_UNTIL, CALENDAR)
    assert plan is not None
    assert plan.fire_times == fired
    # Whatever was fired, the schedule resumes at its first due time after now.
    assert plan.next_run_at == T0 + 5 * HOUR


def test_skip_still_fires_the_current_run_when_only_it_is_within_the_grace() -> None:
    now = T0 + 4 * HOUR + SKIP_GRACE / 2
    plan = plan_fires(hourly(catch_up=CatchUp.SKIP), now, CALENDAR)
    assert plan is not None
    assert plan.fire_times == (T0 + 4 * HOUR,)


def test_interval_runs_stay_on_their_grid_after_a_late_tick() -> None:
    schedule = Schedule(
        name="i", task="app.report", interval_seconds=10, next_run_at=T0, catch_up=CatchUp.ALL
    )
    plan = plan_fires(schedule, T0 + timedelta(seconds=25), CALENDAR)
    assert plan is not None
    assert plan.fire_times == (T0, T0 + timedelta(seconds=10), T0 + timedelta(seconds=20))
    assert plan.next_run_at == T0 + timedelta(seconds=30)


def test_interval_skip_after_downtime_fires_nothing_and_keeps_the_grid() -> None:
    schedule = Schedule(name="i", task="app.report", interval_seconds=600, next_run_at=T0)
    plan = plan_fires(schedule, T0 + timedelta(minutes=35), CALENDAR)
    assert plan is not None
    assert plan.fire_times == ()
    assert plan.next_run_at == T0 + timedelta(minutes=40)


def test_first_run_is_the_next_cron_match_or_now_plus_the_interval() -> None:
    assert hourly().first_run_after(T0 + timedelta(minutes=1), CALENDAR) == T0 + HOUR
    every = Schedule(name="i", task="app.report", interval_seconds=90)
    assert every.first_run_after(T0, CALENDAR) == T0 + timedelta(seconds=90)


def test_unique_key_names_the_schedule_and_the_fire_time_in_utc() -> None:
    berlin_noon = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
    assert hourly().unique_key(berlin_noon) == "schedule:h:2026-06-01T11:00:00+00:00"


def test_the_interval_grid_starts_at_its_anchor() -> None:
    schedule = Schedule(name="i", task="app.report", interval_seconds=10)
    following = successor(schedule, T0, CALENDAR)
    assert following(T0 - timedelta(hours=1)) == T0
    assert following(T0) == T0 + timedelta(seconds=10)
