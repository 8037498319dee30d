"""Reading the run-at time: a wall-clock time plus the time zone it is meant in."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError

DEFAULT_ZONE = "UTC"


@cache
def zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone for a <select>, UTC first."""
    names = sorted(available_timezones() - {DEFAULT_ZONE})
    return [(DEFAULT_ZONE, DEFAULT_ZONE), *((name, name.replace("_", " ")) for name in names)]


def parse_run_at(text: str, zone_name: str) -> datetime:
    """The moment `text` names, in UTC: its own offset if it has one, else read in `zone_name`."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise ValidationError(
            "Enter a date and time such as 2026-12-01T09:30.", code="invalid"
        ) from error
    if moment.tzinfo is not None:
        return _in_utc(moment)
    if not zone_name:
        # A naive time means different moments on different servers and browsers.
        raise ValidationError(
            "This time has no time zone: choose one, or give an offset such as +01:00.",
            code="naive",
        )
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValidationError(f"Unknown time zone {zone_name!r}.", code="zone") from error
    aware = moment.replace(tzinfo=zone)
    # A time the clocks skip (spring forward) comes back changed from a round trip via UTC.
    if _in_utc(aware).astimezone(zone).replace(tzinfo=None) != moment:
        raise ValidationError(
            f"{moment:%Y-%m-%d %H:%M} does not exist in {zone_name}: the clocks skip it.",
            code="skipped",
        )
    return _in_utc(aware)


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        # 9999-12-31 23:00 at -05:00 is a moment in the year 10000, which Python cannot hold.
        raise ValidationError("This time is out of range.", code="range") from error
