"""A per-user limit on submitted tasks: a fixed-window counter in Django's cache."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from .errors import ApiError


def check_submit_rate(user_id: object, cost: int) -> None:
    """Count `cost` submissions for the user; 429 with Retry-After once over the limit."""
    limit = int(settings.SCHEDULER.get("API_SUBMIT_RATE_LIMIT", 0))
    window = max(1, int(settings.SCHEDULER.get("API_SUBMIT_RATE_WINDOW", 60)))
    if limit <= 0:
        return
    now = time.time()
    window_index = int(now // window)
    key = f"scheduler-api:submit:{user_id}:{window_index}"
    # add() only creates the counter, so concurrent first requests do not reset each other.
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key, cost)
    except ValueError:
        # The counter expired between add and incr: this request opens the window.
        cache.set(key, cost, timeout=window + 1)
        count = cost
    if count > limit:
        retry_after = max(1, int((window_index + 1) * window - now) + 1)
        raise ApiError(
            429,
            "rate_limited",
            f"more than {limit} tasks submitted in {window} s; try again later",
            headers={"Retry-After": str(retry_after)},
        )
