"""Pruning the per-minute activity rollup: a write, beside its read in queries/activity.py."""

from __future__ import annotations

from datetime import datetime

from scheduler_core.models import ActivityMinute


def prune_activity(using: str, before: datetime) -> int:
    """Delete the rollup rows of minutes that began before `before`; how many went.

    The rollup only grows otherwise (a row per minute, queue and writing shard); the
    overview reads at most the last day of it.
    """
    deleted, _ = (
        ActivityMinute.objects.using(using).filter(minute__lt=int(before.timestamp())).delete()
    )
    return deleted
