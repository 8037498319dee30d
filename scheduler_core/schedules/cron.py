"""The CronCalendar port on croniter, with the DST rules docs/schedules.md describes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from scheduler_core.domain.ports.cron import CronCalendar

# croniter and cron-descriptor are imported where they are used. Every worker builds this
# calendar at start, most with no schedule to compute; croniter's import alone took 7 to
# 10 ms of that start, a subprocess among them (it runs `file` on the interpreter to learn
# whether it is 32-bit).

# The @-aliases croniter knows, and the five fields each one stands for.
ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
# Enough to step over every wall-clock time a DST change can repeat or skip.
_MAX_STEPS = 10


class CroniterCalendar(CronCalendar):
    """Cron in the schedule's local time: each wall-clock match fires once, however DST moves.

    Matches are found on naive local times and then placed in the zone with fold=0. So a time
    that a spring-forward skips (02:30 in a 02:00 -> 03:00 jump) fires once, shifted by the
    gap (03:30), and a time that a fall-back repeats fires once, on its first pass.
    """

    def validate(self, expression: str) -> None:
        """Raise ValueError unless `expression` is 5 cron fields or an @-alias that matches."""
        text = expression.strip()
        if text.startswith("@"):
            if text not in ALIASES:
                raise ValueError(f"{text!r} is not one of {', '.join(sorted(ALIASES))}")
        elif len(text.split()) != 5:
            raise ValueError(
                f"{text!r} has {len(text.split())} fields; cron needs 5 "
                "(minute hour day-of-month month day-of-week)"
            )
        from croniter import CroniterBadCronError, CroniterBadDateError, croniter

        try:
            # A syntactically fine expression may still never match (30 February).
            croniter(text, datetime(2000, 1, 1)).get_next(datetime)
        except (CroniterBadCronError, CroniterBadDateError, ValueError, KeyError) as error:
            raise ValueError(f"{text!r} is not a valid cron expression: {error}") from error

    def next_after(self, expression: str, tz: ZoneInfo, moment: datetime) -> datetime:
        """The first match strictly after `moment`, in UTC."""
        from croniter import croniter

        local = moment.astimezone(tz).replace(tzinfo=None)
        matches = croniter(expression.strip(), local)
        for _ in range(_MAX_STEPS):
            wall: datetime = matches.get_next(datetime)
            instant = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
            # A match in a repeated hour's first pass, or one the jump shifted, can land at or
            # before `moment`; it has had its turn, so look further.
            if instant > moment:
                return instant
        raise ValueError(
            f"{expression!r} has no run after {moment.isoformat()}"
        )  # pragma: no cover


def describe(expression: str) -> str:
    """The expression in words ("At 06:00, Monday through Friday"), via cron-descriptor."""
    from cron_descriptor import Options, get_description

    text = expression.strip()
    return str(get_description(ALIASES.get(text, text), Options(use_24hour_time_format=True)))
