"""Which logged transitions the counters count, as SQL conditions shared by both databases.

`e` is the transition-log row. A move from a state to itself (a cancel request on a
running task) is never counted.
"""

from __future__ import annotations

MOVED = "e.from_status <> e.to_status"
STARTED = "e.to_status = 'running'"
SUCCEEDED = "e.to_status = 'succeeded'"
# An attempt that raised or was lost: it leaves running for retrying or for failed.
FAILED_ATTEMPT = "(e.from_status = 'running' AND e.to_status IN ('retrying', 'failed'))"
FAILED = "e.to_status = 'failed'"
RETRIED = "e.to_status = 'retrying'"
CANCELLED = "e.to_status = 'cancelled'"
RESCUED = "e.actor = 'rescuer'"
# Transitions that change a per-minute activity row.
IN_ACTIVITY = (
    f"({MOVED} AND ({STARTED} OR {SUCCEEDED} OR {CANCELLED} OR {FAILED} OR {FAILED_ATTEMPT}))"
)

# Totals column -> the condition that counts a transition into it.
TOTALS = {
    "started": STARTED,
    "succeeded": SUCCEEDED,
    "failed": FAILED,
    "retried": RETRIED,
    "cancelled": CANCELLED,
    "rescued": RESCUED,
}
# Activity column -> the condition, for the columns that count transitions.
ACTIVITY = {
    "started": STARTED,
    "succeeded": SUCCEEDED,
    "failed_attempts": FAILED_ATTEMPT,
    "failed": FAILED,
    "cancelled": CANCELLED,
}
