"""The time windows the overview's charts can show: the last hour and the last day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartWindow:
    """A choice in the window switch: its querystring key, its words, its buckets."""

    key: str
    title: str
    bucket: timedelta
    buckets: int
    # How one bucket is named in tooltips ("per minute").
    bucket_name: str


HOUR = ChartWindow(
    key="hour", title="last hour", bucket=timedelta(minutes=1), buckets=60, bucket_name="minute"
)
DAY = ChartWindow(
    key="day", title="last day", bucket=timedelta(minutes=15), buckets=96, bucket_name="15 min"
)
WINDOWS = {window.key: window for window in (HOUR, DAY)}


def window_from_query(value: str | None) -> ChartWindow:
    """The window a `?window=` value names; the hour for anything else."""
    return WINDOWS.get(value or "", HOUR)
