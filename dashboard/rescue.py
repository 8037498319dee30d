"""When a task held by a gone worker comes back: its lease end, then the next maintenance pass.

The rescuer (services/rescuer.py) takes a running task once its lease has ended by the
database clock, on the next maintenance pass of any live worker. Both pages that say so
(the overview and a task's page) word it here, from a `now` read off that same clock.
The time counted is to the lease's end: the pass that follows comes within 0.5x to 1.5x of
the workers' maintenance interval (executor/maintenance.py), a flag of theirs the web
process cannot read, so the pages name its default (5 s) in words.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from dashboard.templatetags.dashboard import duration


def rescue_due(lease_expires_at: datetime | None, now: datetime) -> str:
    """ "rescue due in 12 s" before the lease ends, "rescue overdue by 3 s" after it."""
    if lease_expires_at is None:
        # The rescuer looks only for leases that ended; a running row without one is not found.
        return "no lease end stored, so no rescue is due"
    left = (lease_expires_at - now).total_seconds()
    if left > 0:
        return f"rescue due in {_seconds(left, up=True)}"
    return f"rescue overdue by {_seconds(-left, up=False)}"


def _seconds(value: float, *, up: bool) -> str:
    # Whole seconds: the pages refresh every few seconds, tenths would only flicker. Time
    # left rounds up and time overdue down, so "due in 0 s" never shows before the moment.
    whole = math.ceil(value) if up else math.floor(value)
    return f"{whole} s" if whole < 60 else duration(timedelta(seconds=whole))
