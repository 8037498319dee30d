"""How long a task waits before its next attempt: exponential backoff with jitter and a cap."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Delay before attempt n+1 after attempt n failed.

    The undisturbed delay is ``base * factor ** (attempt - 1)``, capped at ``cap``. Jitter then
    takes a random share of up to ``jitter`` of it away, so workers that failed together do not
    retry together; the delay therefore lies in ``[d * (1 - jitter), d]``.
    """

    base: timedelta = timedelta(seconds=1)
    factor: float = 2.0
    cap: timedelta = timedelta(hours=1)
    jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.base < timedelta(0):
            raise ValueError("base must not be negative")
        # Written so that NaN fails too; an infinite factor would turn a zero base into NaN.
        if not (self.factor >= 1 and math.isfinite(self.factor)):
            raise ValueError("factor must be a finite number of at least 1")
        if self.cap < self.base:
            raise ValueError("cap must be at least base")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must lie between 0 and 1")

    def undisturbed_delay(self, attempt: int) -> timedelta:
        """The delay after failed attempt `attempt` (1-based) before jitter."""
        if attempt < 1:
            raise ValueError("attempt numbers start at 1")
        cap_seconds = self.cap.total_seconds()
        seconds = self.base.total_seconds()
        # Multiply step by step so huge attempt numbers stop at the cap instead of overflowing.
        for _ in range(attempt - 1):
            seconds *= self.factor
            if seconds >= cap_seconds:
                return self.cap
        return min(timedelta(seconds=seconds), self.cap)

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        """The jittered delay after failed attempt `attempt`; deterministic for a seeded rng."""
        full = self.undisturbed_delay(attempt)
        return full * (1 - self.jitter * rng.random())
