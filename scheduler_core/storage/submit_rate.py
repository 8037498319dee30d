"""Counting submits against the sliding-window limit, in one short transaction per check."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum

from scheduler_core.domain.submit_window import SlidingWindow
from scheduler_core.models import SubmitRateEvent, SubmitRateKey


def take(using: str, key: str, cost: int, limit: SlidingWindow, now: float) -> float:
    """Record `cost` submits for `key` if they fit; else record nothing. Seconds to wait (0: fit).

    The key's row is locked for the check (FOR UPDATE on PostgreSQL, the write lock of
    BEGIN IMMEDIATE on SQLite), so concurrent processes never both take the last room.
    """
    events = SubmitRateEvent.objects.using(using).filter(key=key)
    with transaction.atomic(using=using):
        SubmitRateKey.objects.using(using).select_for_update().get_or_create(key=key)
        # What slid out of the window is never needed again.
        events.filter(at__lte=now - limit.seconds).delete()
        # The sum is enough to say yes; only a refusal reads the rows, to say how long.
        total = events.aggregate(total=Sum("cost"))["total"] or 0
        if limit.fits(total, cost):
            events.create(key=key, at=now, cost=cost)
            return 0.0
        recent = list(events.order_by("at", "id").values_list("at", "cost"))
    return limit.wait(recent, cost, now)
