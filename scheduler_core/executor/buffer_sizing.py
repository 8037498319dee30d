"""How much of the local buffer of claimed tasks to open, from how long tasks take."""

from __future__ import annotations

# The buffer opens while a typical task takes less than this (s): then a slot waiting for a
# claim would cost more than the task itself. Half of it opens below this, all of it below
# half this, so the work waiting there stays under the same fraction of a second while the
# shortest tasks get the biggest (cheapest) claims.
BUFFER_WHILE_TASKS_UNDER = 0.1
# Weight of the newest duration in the running average that decides it.
DURATION_WEIGHT = 0.2


class BufferSizing:
    """A running average of task durations, and the buffer units it allows."""

    def __init__(self, buffer: int) -> None:
        self.buffer = buffer
        # Starts above the bar, so that a few short tasks must finish before the buffer opens.
        self.typical_duration = 2 * BUFFER_WHILE_TASKS_UNDER

    def note(self, seconds: float) -> int:
        """Take in one attempt's duration; return how many buffer units are open now."""
        self.typical_duration += DURATION_WEIGHT * (seconds - self.typical_duration)
        if self.typical_duration < BUFFER_WHILE_TASKS_UNDER / 2:
            return self.buffer
        if self.typical_duration < BUFFER_WHILE_TASKS_UNDER:
            return self.buffer // 2
        return 0
