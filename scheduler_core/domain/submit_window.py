"""The submit rate limit's rule: at most `limit` tasks in any span of `seconds` (a sliding log).

A fixed window lets twice the limit through around its boundary (the limit at the end of
one window and again at the start of the next); so do a sliding-window counter and a token
bucket, in the worst case. Keeping each submit of the last window (at most `limit` rows a
user, a batch being one row) makes the rule exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SlidingWindow:
    """At most `limit` submitted tasks in any `seconds`."""

    limit: int
    seconds: int

    def fits(self, total: int, cost: int) -> bool:
        """True when `cost` more fit beside the `total` of the last window."""
        return total + cost <= self.limit

    def wait(self, recent: Sequence[tuple[float, int]], cost: int, now: float) -> float:
        """Seconds until `cost` more fit (0: now; inf: never), given the (at, cost) submits
        of the last window, oldest first."""
        if cost > self.limit:
            return math.inf
        total = sum(taken for _, taken in recent)
        if self.fits(total, cost):
            return 0.0
        excess = total + cost - self.limit
        for at, taken in recent:
            excess -= taken
            if excess <= 0:
                # Once this submit has slid out of the window, there is room.
                return at + self.seconds - now
        return math.inf  # unreachable: cost <= limit
