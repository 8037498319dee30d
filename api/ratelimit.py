"""The API's side of the per-user submit limit: 429 with Retry-After once over it."""

from __future__ import annotations

from scheduler_core.web.submit_rate import SubmitRateExceeded
from scheduler_core.web.submit_rate import check_submit_rate as count_submits

from .errors import ApiError


def check_submit_rate(user_id: object, cost: int) -> None:
    """Count `cost` submissions for the user (shared with the dashboard's form); 429 if over."""
    try:
        count_submits(user_id, cost)
    except SubmitRateExceeded as error:
        raise ApiError(
            429, "rate_limited", error.message, headers={"Retry-After": str(error.retry_after)}
        ) from error
