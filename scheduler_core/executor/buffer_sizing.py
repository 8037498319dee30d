"""How much of the local buffer of claimed tasks to open, from how long tasks take."""

from __future__ import annotations

# The buffer opens while a typical task takes less than this (s): then a slot waiting for a
# claim would cost more than the task itself.
BUFFER_WHILE_TASKS_UNDER = 0.1
# Work (s) the open buffer may hold per slot. A task claimed into it waits about this long
# at most before a slot here starts it, while another worker's slot may be idle; so the
# shorter the tasks, the more of them it holds (up to the whole buffer), and the bigger and
# cheaper each claim.
HELD_WORK_PER_SLOT = 0.25
# A slot whose attempt has run this long (s) is busy with a long one, whatever the average
# says, and the buffer opens for the other slots only; a buffered task that has waited this
# long goes back. Work left waiting behind long runs is exposed to every fault of this
# worker while another worker's slot may be idle. Four times what the buffer holds a slot.
LONG_RUN = 4 * HELD_WORK_PER_SLOT
# Weight of the newest duration in the running average that decides it.
DURATION_WEIGHT = 0.2


class BufferSizing:
    """A running average of task durations, and the buffer units it allows."""

    def __init__(self, buffer: int, slots: int) -> None:
        self.buffer = buffer
        self.slots = slots
        # Starts above the bar, so that a few short tasks must finish before the buffer opens.
        self.typical_duration = 2 * BUFFER_WHILE_TASKS_UNDER

    def note(self, seconds: float) -> None:
        """Take in one attempt's duration."""
        self.typical_duration += DURATION_WEIGHT * (seconds - self.typical_duration)

    def units(self, long_runs: int = 0) -> int:
        """How many buffer units may be open while `long_runs` slots are busy with long ones."""
        slots = self.slots - long_runs
        if slots <= 0 or self.typical_duration >= BUFFER_WHILE_TASKS_UNDER:
            return 0
        held = slots * HELD_WORK_PER_SLOT / max(self.typical_duration, 1e-6)
        return min(self.buffer, int(held))
