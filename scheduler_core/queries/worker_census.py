"""How many workers are in each state, with the silent ones counted as stale; and the counts
of fresh and stale workers alone, for /metrics and /readyz."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, QuerySet

from scheduler_core.domain import WorkerState
from scheduler_core.domain.status import EXITED_WORKER_STATES
from scheduler_core.models import WorkerRecord

STALE = "stale"
EXITED = [state.value for state in EXITED_WORKER_STATES]


def worker_census(using: str, now: datetime, stale_after: timedelta) -> dict[str, int]:
    """Workers not stopped, by state; those silent for `stale_after` at `now` (the database's
    clock) count as "stale" only."""
    fresh = _not_exited(using).filter(last_heartbeat__gte=now - stale_after)
    counts = dict.fromkeys(
        [state.value for state in WorkerState if not state.has_exited] + [STALE], 0
    )
    for state, count in fresh.values_list("state").annotate(n=Count("id")).order_by():
        counts[state] = count
    counts[STALE] = stale_workers(using, now, stale_after)
    return counts


def live_workers(census: dict[str, int]) -> int:
    """Workers of a census that still beat: those whose maintenance passes rescue tasks."""
    return sum(count for state, count in census.items() if state != STALE)


def fresh_workers(using: str, now: datetime, stale_after: timedelta) -> int:
    """Workers not stopped whose last heartbeat is at most `stale_after` before `now`."""
    return _not_exited(using).filter(last_heartbeat__gte=now - stale_after).count()


def stale_workers(using: str, now: datetime, stale_after: timedelta) -> int:
    """Workers not stopped, silent for longer than `stale_after` at `now`."""
    return _not_exited(using).filter(last_heartbeat__lt=now - stale_after).count()


def _not_exited(using: str) -> QuerySet[WorkerRecord]:
    return WorkerRecord.objects.using(using).exclude(state__in=EXITED)
