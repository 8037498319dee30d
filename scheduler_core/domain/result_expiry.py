"""Result expiry: a task may keep its result for a while only (`result_ttl` seconds).

Once the task finished that long ago, the pruner drops the result and marks it expired;
the row, its timeline and its errors stay until the global retention deletes them, so a
lookup can say "expired" rather than "not found".
"""

from __future__ import annotations

from .errors import TaskInvalid

# Ten years: longer is a typo, not a wish (and no retention keeps rows that long).
MAX_RESULT_TTL = 10 * 365 * 24 * 3600


def check_result_ttl(ttl: object) -> None:
    """Raise TaskInvalid(field='result_ttl') unless `ttl` is None or whole seconds from 1."""
    if ttl is None:
        return
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= MAX_RESULT_TTL:
        raise TaskInvalid(
            "result_ttl", f"must be a whole number of seconds from 1 to {MAX_RESULT_TTL}"
        )
