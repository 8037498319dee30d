"""What task code raises to steer its own task: snooze, discard, and the soft time limit.

Plain Python, importable before Django is set up: `from scheduler_core import Snooze`.
"""

from __future__ import annotations

import math

from scheduler_core.domain.defaults import MAX_SNOOZE_SECONDS, MAX_SNOOZES

__all__ = ["MAX_SNOOZES", "Discard", "Snooze", "SoftTimeLimitExceeded"]


class Snooze(Exception):  # noqa: N818 - named for what the task asks, as in Oban
    """Put the task back to wait `seconds`, then run it again without using up an attempt.

    A task may snooze MAX_SNOOZES times; the next snooze fails it for good.
    """

    def __init__(self, seconds: float) -> None:
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not math.isfinite(seconds)
            or not 0 <= seconds <= MAX_SNOOZE_SECONDS
        ):
            raise ValueError(f"Snooze takes 0 to {MAX_SNOOZE_SECONDS} seconds, not {seconds!r}")
        super().__init__(f"snoozed for {seconds:g}s")
        self.seconds = float(seconds)


class Discard(Exception):  # noqa: N818 - named for what the task asks
    """Fail the task for good at once, without retries, saying `reason`."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


class SoftTimeLimitExceeded(Exception):  # noqa: N818 - Celery's name, kept for migrants
    """Raised inside a task that reached its soft_timeout: clean up; the hard timeout follows."""
