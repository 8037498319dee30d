"""Which due times a schedule fires now, and when it runs next: a pure function of the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .ports.cron import CronCalendar
from .schedule import CatchUp, Schedule

# Under `skip`, a due time this recent is the run the schedule is on now, not a missed one:
# a ticker pass that comes a little late still fires it.
SKIP_GRACE = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class FirePlan:
    """The due times to fire now, oldest first, and the schedule's next run after them."""

    fire_times: tuple[datetime, ...]
    next_run_at: datetime


def plan_fires(schedule: Schedule, now: datetime, calendar: CronCalendar) -> FirePlan | None:
    """What the schedule fires at `now` under its catch-up policy; None when nothing is due."""
    due = schedule.next_run_at
    if due is None or due > now or not schedule.enabled:
        return None
    following = successor(schedule, due, calendar)
    if schedule.catch_up is CatchUp.ALL:
        times = [due]
        while len(times) < schedule.catch_up_limit:
            later = following(times[-1])
            if later > now:
                break
            times.append(later)
    elif schedule.catch_up is CatchUp.ONCE:
        times = [due]
    else:
        recent = due if due >= now - SKIP_GRACE else following(now - SKIP_GRACE)
        times = [recent] if recent <= now else []
    return FirePlan(tuple(times), following(now))


def upcoming_runs(
    schedule: Schedule, now: datetime, calendar: CronCalendar, count: int = 5
) -> list[datetime]:
    """The schedule's next `count` due times from its next run (or its first after `now`)."""
    first = schedule.next_run_at or schedule.first_run_after(now, calendar)
    following = successor(schedule, first, calendar)
    runs = [first]
    while len(runs) < count:
        runs.append(following(runs[-1]))
    return runs


def successor(
    schedule: Schedule, anchor: datetime, calendar: CronCalendar
) -> Callable[[datetime], datetime]:
    """The schedule's first due time strictly after a moment."""
    if schedule.cron is not None:
        cron, zone = schedule.cron, schedule.zone
        return lambda moment: calendar.next_after(cron, zone, moment)
    assert schedule.interval_seconds is not None
    step = timedelta(seconds=schedule.interval_seconds)

    # Interval runs stay on the grid of the first due time, so a late tick does not drift them.
    def on_grid(moment: datetime) -> datetime:
        if moment < anchor:
            return anchor
        return anchor + step * ((moment - anchor) // step + 1)

    return on_grid
