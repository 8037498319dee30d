"""Cron schedules across DST changes: every local wall-clock match fires exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler_core.domain import Schedule, upcoming_runs
from scheduler_core.schedules.cron import CroniterCalendar

CALENDAR = CroniterCalendar()


def runs(cron: str, zone: str, start: datetime, count: int) -> list[datetime]:
    """The first `count` runs after `start` of a cron schedule in `zone`, in UTC."""
    schedule = Schedule(name="s", task="app.report", cron=cron, timezone=zone)
    return upcoming_runs(schedule, start, CALENDAR, count)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "cron", "start", "expected"),
    [
        # Berlin jumps 02:00 CET -> 03:00 CEST on 29 March 2026: 02:30 does not exist, so
        # it fires once, shifted by the gap, at 03:30 CEST.
        (
            "Europe/Berlin",
            "30 2 * * *",
            utc(2026, 3, 28),
            [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)],
        ),
        # New York jumps 02:00 EST -> 03:00 EDT on 8 March 2026: 02:30 fires at 03:30 EDT.
        (
            "America/New_York",
            "30 2 * * *",
            utc(2026, 3, 7),
            [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)],
        ),
    ],
)
def test_spring_forward_fires_a_skipped_time_once_shifted_by_the_gap(
    zone: str, cron: str, start: datetime, expected: list[datetime]
) -> None:
    assert runs(cron, zone, start, 3) == expected


@pytest.mark.parametrize(
    ("zone", "cron", "start", "expected"),
    [
        # Berlin repeats 02:00-03:00 on 25 October 2026: 02:30 fires on its first pass (CEST).
        (
            "Europe/Berlin",
            "30 2 * * *",
            utc(2026, 10, 24),
            [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)],
        ),
        # New York repeats 01:00-02:00 on 1 November 2026: 01:30 fires once, as EDT.
        (
            "America/New_York",
            "30 1 * * *",
            utc(2026, 10, 31),
            [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)],
        ),
    ],
)
def test_fall_back_fires_a_repeated_time_once_on_its_first_pass(
    zone: str, cron: str, start: datetime, expected: list[datetime]
) -> None:
    assert runs(cron, zone, start, 3) == expected


@pytest.mark.parametrize(
    ("zone", "day", "hours_in_day"),
    [
        ("Europe/Berlin", datetime(2026, 3, 29), 23),
        ("Europe/Berlin", datetime(2026, 10, 25), 25),
        ("America/New_York", datetime(2026, 3, 8), 23),
        ("America/New_York", datetime(2026, 11, 1), 25),
    ],
)
def test_hourly_fires_once_per_wall_clock_hour_on_a_dst_day(
    zone: str, day: datetime, hours_in_day: int
) -> None:
    tz = ZoneInfo(zone)
    start = day.replace(tzinfo=tz).astimezone(UTC)
    end = (day + timedelta(days=1)).replace(tzinfo=tz).astimezone(UTC)
    assert (end - start) == timedelta(hours=hours_in_day)
    fired = [t for t in runs("0 * * * *", zone, start - timedelta(seconds=1), 30) if t < end]
    # No instant fires twice. The skipped hour's match lands on 03:00, which fires once;
    # the repeated hour fires on its first pass only.
    assert fired == sorted(set(fired))
    skipped = {2} if hours_in_day == 23 else set()
    assert len(fired) == 24 - len(skipped)
    assert {t.astimezone(tz).hour for t in fired} == set(range(24)) - skipped


def test_next_after_a_repeated_hours_second_pass_moves_to_the_next_day() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 02:40 CET, the second pass of the repeated hour: 02:45's first pass (CEST) is over.
    second_pass = datetime(2026, 10, 25, 2, 40, fold=1, tzinfo=berlin)
    following = CALENDAR.next_after("45 2 * * *", berlin, second_pass)
    assert following == datetime(2026, 10, 26, 2, 45, tzinfo=berlin)
