"""The charts' buckets, with the finished ones kept in Django's cache until the window moves.

The activity comes from the per-minute rollup (docs/counters.md), so even a day is at most
1,440 rows per queue and writer shard; still, every open overview polls every few seconds,
and buckets that have ended change little. They are summed once per bucket width (per
process, or shared if CACHES is), and only the current bucket on each render. A finished
bucket may therefore miss an event logged after it was cached with an earlier stamp (a
late, out-of-order clock), until the window moves on a bucket.
"""

from __future__ import annotations

from django.core.cache import cache

from scheduler_core.queries import Bucket, Window, activity

KEY_PREFIX = "scheduler.overview.activity"


def window_activity(using: str, window: Window) -> list[Bucket]:
    """Every bucket of `window`, oldest first: the past ones cached, the current one fresh."""
    ended = Window(start=window.start, width=window.width, buckets=window.buckets - 1)
    current = Window(start=window.bucket_start(window.buckets - 1), width=window.width, buckets=1)
    key = f"{KEY_PREFIX}:{using}:{int(window.start.timestamp())}:{window.seconds}:{ended.buckets}"
    past: list[Bucket] | None = cache.get(key)
    if past is None:
        past = activity(using, ended) if ended.buckets else []
        # The key names the window's start, so it is not read again once a bucket passes.
        cache.set(key, past, timeout=window.seconds)
    return [*past, *activity(using, current)]
