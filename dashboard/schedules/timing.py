"""A schedule's timing in words and its next runs, for the list, the detail and the form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler_core.schedules.cron import describe

# The largest unit that divides an interval evenly names it: 7200 s is "every 2 hours".
_UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def describe_interval(seconds: int) -> str:
    """'Every 5 minutes', 'Every 90 seconds', 'Every day'."""
    for size, unit in _UNITS:
        if seconds % size == 0:
            count = seconds // size
            return f"Every {unit}" if count == 1 else f"Every {count} {unit}s"
    return f"Every {seconds} seconds"  # pragma: no cover - the 1-second unit always divides


def describe_timing(cron: str | None, interval_seconds: int | None) -> str:
    """The cron expression in words (cron-descriptor), or the interval in words."""
    if cron:
        try:
            return describe(cron)
        except Exception:
            # cron-descriptor reads a few expressions croniter accepts differently; the
            # expression itself is still shown next to this text.
            return cron
    if interval_seconds:
        return describe_interval(interval_seconds)
    return "—"


@dataclass(frozen=True, slots=True)
class RunTime:
    """One due time, in the schedule's zone and in UTC."""

    local: datetime
    utc: datetime


def run_times(runs: list[datetime], timezone: str) -> list[RunTime]:
    """The due times (UTC) paired with the same instants in the schedule's zone."""
    zone = ZoneInfo(timezone)
    return [RunTime(local=run.astimezone(zone), utc=run) for run in runs]
