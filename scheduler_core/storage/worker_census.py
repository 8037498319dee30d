"""How many workers are in each state, with the silent ones counted as stale."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count

from scheduler_core.domain import WorkerState
from scheduler_core.domain.status import EXITED_WORKER_STATES
from scheduler_core.models import WorkerRecord

from .db_clock import DatabaseClock

STALE = "stale"
EXITED = [state.value for state in EXITED_WORKER_STATES]


def worker_census(using: str, stale_after: timedelta) -> dict[str, int]:
    """Workers not stopped, by state; those silent for `stale_after` count as "stale" only."""
    now = DatabaseClock(using).now()
    live = WorkerRecord.objects.using(using).exclude(state__in=EXITED)
    fresh = live.filter(last_heartbeat__gte=now - stale_after)
    counts = dict.fromkeys(
        [state.value for state in WorkerState if not state.has_exited] + [STALE], 0
    )
    for state, count in fresh.values_list("state").annotate(n=Count("id")).order_by():
        counts[state] = count
    counts[STALE] = live.filter(last_heartbeat__lt=now - stale_after).count()
    return counts


def live_workers(census: dict[str, int]) -> int:
    """Workers of a census that still beat: those whose maintenance passes rescue tasks."""
    return sum(count for state, count in census.items() if state != STALE)
