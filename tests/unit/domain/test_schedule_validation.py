"""Schedule rules: each bad field raises ScheduleInvalid naming that field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from scheduler_core.domain import CatchUp, Schedule, ScheduleInvalid
from scheduler_core.schedules.cron import CroniterCalendar

CALENDAR = CroniterCalendar()


def schedule(**fields: Any) -> Schedule:
    """A valid every-minute schedule, with `fields` overriding the defaults."""
    values: dict[str, Any] = {"name": "nightly-report", "task": "app.report", "cron": "* * * * *"}
    values.update(fields)
    return Schedule(**values)


@pytest.mark.parametrize(
    "expression",
    ["@hourly", "@daily", "@weekly", "@monthly", "@yearly", "0 6 * * 1-5", "*/15 * * * *"],
)
def test_cron_aliases_and_five_field_expressions_are_accepted(expression: str) -> None:
    schedule(cron=expression).validate(CALENDAR)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"cron": "61 * * * *"}, "cron", "not a valid cron"),
        ({"cron": "* * *"}, "cron", "has 3 fields"),
        ({"cron": "0 0 * * * *"}, "cron", "has 6 fields"),
        ({"cron": "@fortnightly"}, "cron", "is not one of"),
        ({"cron": "0 0 30 2 *"}, "cron", "not a valid cron"),
        ({"cron": None}, "cron", "either a cron expression or an interval"),
        ({"interval_seconds": 60}, "cron", "not both"),
        ({"cron": None, "interval_seconds": 0}, "interval_seconds", "outside 1.."),
        ({"cron": None, "interval_seconds": -5}, "interval_seconds", "outside 1.."),
        ({"cron": None, "interval_seconds": 1.5}, "interval_seconds", "whole number"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "not a known time zone"),
        ({"timezone": ""}, "timezone", "time zone name"),
        ({"name": ""}, "name", "non-empty"),
        ({"name": "has space"}, "name", "letters, digits"),
        ({"task": "not a task"}, "task", "dotted Python name"),
        ({"args": "x"}, "args", "must be a list"),
        ({"kwargs": {"when": object()}}, "kwargs.when", "not JSON"),
        ({"queue": "no spaces"}, "queue", "letters, digits"),
        ({"priority": 500}, "priority", "outside"),
        ({"max_attempts": 0}, "max_attempts", "outside"),
        ({"catch_up": "sometimes"}, "catch_up", "one of"),
        ({"catch_up_limit": 0}, "catch_up_limit", "1..1000"),
        ({"enabled": "yes"}, "enabled", "true or false"),
        ({"cron": 5}, "cron", "must be a string"),
        ({"next_run_at": datetime(2026, 1, 1)}, "next_run_at", "timezone-aware"),
    ],
)
def test_bad_fields_are_refused_by_name(fields: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ScheduleInvalid) as raised:
        schedule(**fields).validate(CALENDAR)
    assert raised.value.field == field
    assert message in raised.value.message


def test_an_interval_schedule_with_every_option_is_valid() -> None:
    schedule(
        cron=None,
        interval_seconds=30,
        timezone="America/New_York",
        catch_up=CatchUp.ALL,
        catch_up_limit=5,
        queue="reports",
        priority=10,
        max_attempts=5,
        args=[1],
        kwargs={"a": "b"},
    ).validate(CALENDAR)


def test_a_time_zone_name_too_long_for_a_file_is_invalid_not_an_error() -> None:
    # zoneinfo looks for a file of that name, and the OS refuses it (found by the property
    # test of issue 16: a 500 from the dashboard's schedule form).
    schedule = Schedule(name="s", task="a.b", interval_seconds=60, timezone="x" * 10_000)

    with pytest.raises(ScheduleInvalid) as raised:
        schedule.validate(CALENDAR)

    assert raised.value.field == "timezone"
    assert len(raised.value.message) < 200
