"""The Schedule entity: a task template that fires on a cron expression or a fixed interval."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .defaults import DEFAULT_MAX_ATTEMPTS, DEFAULT_QUEUE, MAX_NAME_LENGTH
from .errors import ScheduleInvalid, TaskInvalid
from .ports.cron import CronCalendar
from .task import Task

# Letters, digits and a little punctuation: the name ends up in every fired task's unique key.
SCHEDULE_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
MAX_CATCH_UP_LIMIT = 1000
DEFAULT_CATCH_UP_LIMIT = 10
# A year: anything longer is a typo, and a bigger number overflows datetime arithmetic.
MAX_INTERVAL_SECONDS = 366 * 24 * 3600


class CatchUp(enum.StrEnum):
    """What a schedule does with the runs it missed while no worker was ticking."""

    # Drop missed runs; only a due time within the grace window still fires.
    SKIP = "skip"
    # Fire one task for all the missed runs together.
    ONCE = "once"
    # Fire every missed run, oldest first, up to catch_up_limit.
    ALL = "all"


@dataclass(slots=True, kw_only=True)
class Schedule:
    """A task to submit on a cron expression or every `interval_seconds`, in a time zone."""

    name: str
    task: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    cron: str | None = None
    interval_seconds: int | None = None
    timezone: str = "UTC"
    enabled: bool = True
    catch_up: CatchUp = CatchUp.SKIP
    catch_up_limit: int = DEFAULT_CATCH_UP_LIMIT
    queue: str | None = None
    priority: int | None = None
    max_attempts: int | None = None
    next_run_at: datetime | None = None
    last_run_at: datetime | None = None
    # Hash of the settings definition this schedule was last synced from; "" if made by hand.
    code_hash: str = ""

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's time zone; cron expressions are read in its wall-clock time."""
        return ZoneInfo(self.timezone)

    def validate(self, calendar: CronCalendar) -> None:
        """Raise ScheduleInvalid naming the first field that breaks a rule."""
        _check_name(self.name)
        _check_timing(self, calendar)
        _check_timezone(self.timezone)
        if type(self.enabled) is not bool:
            raise ScheduleInvalid("enabled", "must be true or false")
        if not isinstance(self.catch_up, CatchUp):
            raise ScheduleInvalid("catch_up", f"must be one of {', '.join(CatchUp)}")
        limit = self.catch_up_limit
        if type(limit) is not int or not 1 <= limit <= MAX_CATCH_UP_LIMIT:
            raise ScheduleInvalid(
                "catch_up_limit", f"must be an integer in 1..{MAX_CATCH_UP_LIMIT}"
            )
        for moment_field in ("next_run_at", "last_run_at"):
            moment = getattr(self, moment_field)
            if moment is not None and (not isinstance(moment, datetime) or moment.tzinfo is None):
                raise ScheduleInvalid(moment_field, "must be a timezone-aware datetime")
        # The task fields follow the task's own rules: build the task a firing would submit.
        try:
            self.task_for(datetime(2000, 1, 1, tzinfo=UTC), now=datetime(2000, 1, 1, tzinfo=UTC))
        except TaskInvalid as error:
            field_name = "task" if error.field == "name" else error.field
            raise ScheduleInvalid(field_name, error.message) from error

    def task_for(self, fire_time: datetime, *, now: datetime) -> Task:
        """The validated task that the firing at `fire_time` submits."""
        return Task.create(
            self.task,
            now=now,
            args=self.args,
            kwargs=self.kwargs,
            queue=DEFAULT_QUEUE if self.queue is None else self.queue,
            priority=0 if self.priority is None else self.priority,
            max_attempts=DEFAULT_MAX_ATTEMPTS if self.max_attempts is None else self.max_attempts,
            unique_key=self.unique_key(fire_time),
        )

    def unique_key(self, fire_time: datetime) -> str:
        """The key of the task fired for `fire_time`: no due time can yield two live tasks."""
        return f"schedule:{self.name}:{fire_time.astimezone(UTC).isoformat()}"

    def first_run_after(self, now: datetime, calendar: CronCalendar) -> datetime:
        """When a new (or re-timed) schedule first fires: the next cron match, or now + interval."""
        if self.cron is not None:
            return calendar.next_after(self.cron, self.zone, now)
        assert self.interval_seconds is not None
        return now + timedelta(seconds=self.interval_seconds)


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name:
        raise ScheduleInvalid("name", "must be a non-empty string")
    if len(name) > MAX_NAME_LENGTH or not SCHEDULE_NAME_PATTERN.fullmatch(name):
        raise ScheduleInvalid(
            "name", f"must be up to {MAX_NAME_LENGTH} letters, digits, '_', '.', ':' or '-'"
        )


def _check_timing(schedule: Schedule, calendar: CronCalendar) -> None:
    cron, interval = schedule.cron, schedule.interval_seconds
    if (cron is None) == (interval is None):
        raise ScheduleInvalid("cron", "give either a cron expression or an interval, not both")
    if cron is not None:
        if not isinstance(cron, str):
            raise ScheduleInvalid("cron", "must be a string")
        try:
            calendar.validate(cron)
        except ValueError as error:
            raise ScheduleInvalid("cron", str(error)) from error
        return
    if isinstance(interval, bool) or not isinstance(interval, int):
        raise ScheduleInvalid("interval_seconds", "must be a whole number of seconds")
    if not 1 <= interval <= MAX_INTERVAL_SECONDS:
        raise ScheduleInvalid(
            "interval_seconds", f"{interval} is outside 1..{MAX_INTERVAL_SECONDS} seconds"
        )


def _check_timezone(name: object) -> None:
    if not isinstance(name, str) or not name:
        raise ScheduleInvalid("timezone", "must be a time zone name such as 'Europe/Berlin'")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        # OSError: a name longer than a file name may be (zoneinfo looks for a file of it).
        shown = name if len(name) <= 100 else name[:100] + "..."
        raise ScheduleInvalid("timezone", f"{shown!r} is not a known time zone") from error
