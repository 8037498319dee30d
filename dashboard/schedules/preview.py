"""The form's timing preview: the timing in words and its next runs, or what is wrong."""

from __future__ import annotations

from typing import Any

from scheduler_core.domain import ScheduleInvalid

from .lookup import schedule_service
from .timing import describe_timing, run_times

UPCOMING = 5
LABELS = {
    "cron": "Cron expression",
    "interval_seconds": "Interval (seconds)",
    "timezone": "Time zone",
}


def preview_context(cron_text: str, interval_text: str, timezone: str) -> dict[str, Any]:
    """Template values for the preview of a timing typed into the form (all of it text)."""
    cron = cron_text.strip() or None
    timezone = timezone.strip()
    try:
        interval = int(interval_text) if interval_text.strip() else None
    except ValueError:
        return {"preview_error": f"{LABELS['interval_seconds']}: enter a whole number."}
    try:
        runs = schedule_service().preview(
            cron=cron, interval_seconds=interval, timezone=timezone, count=UPCOMING
        )
    except ScheduleInvalid as error:
        return {"preview_error": f"{LABELS.get(error.field, error.field)}: {error.message}"}
    return {
        "preview_description": describe_timing(cron, interval),
        "preview_runs": run_times(runs, timezone),
        "preview_zone": timezone,
    }
