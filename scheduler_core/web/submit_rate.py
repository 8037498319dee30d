"""The per-user submit limit, shared by the JSON API and the dashboard's submit form.

Counted in the database (storage/submit_rate.py), so every web process and machine sees
the same counts; settings.SCHEDULER["SUBMIT_RATE_LIMIT"] submits per "SUBMIT_RATE_WINDOW"
seconds, over a sliding window (submit_window.py).
"""

from __future__ import annotations

import math
import time

from scheduler_core.conf import scheduler_conf
from scheduler_core.domain.submit_window import SlidingWindow
from scheduler_core.storage.submit_rate import take


class SubmitRateExceeded(Exception):
    """A user asked to submit more tasks than the limit lets through now."""

    def __init__(self, window: SlidingWindow, cost: int, wait: float) -> None:
        self.retry_after = 1 if math.isinf(wait) else max(1, math.ceil(wait))
        if math.isinf(wait):
            message = (
                f"{cost} tasks at once are more than the limit of {window.limit} per "
                f"{window.seconds} s; submit fewer at a time"
            )
        else:
            message = (
                f"more than {window.limit} tasks submitted in {window.seconds} s; "
                f"try again in {self.retry_after} s"
            )
        super().__init__(message)
        self.message = message


def check_submit_rate(user_id: object, cost: int) -> None:
    """Count `cost` submits for the user; SubmitRateExceeded (nothing counted) if over."""
    conf = scheduler_conf()
    if conf.submit_rate_limit <= 0 or cost <= 0:
        return
    window = SlidingWindow(conf.submit_rate_limit, conf.submit_rate_window)
    wait = take(conf.database, f"user:{user_id}", cost, window, _now())
    if wait:
        raise SubmitRateExceeded(window, cost, wait)


def _now() -> float:
    """Unix seconds; a function so that tests can move time."""
    return time.time()
