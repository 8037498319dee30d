"""Task priorities: integers from -100 to 100 as in django.tasks, with named levels."""

from __future__ import annotations

from enum import IntEnum

MIN_PRIORITY = -100
MAX_PRIORITY = 100


class Priority(IntEnum):
    """Named priority levels; any integer in [MIN_PRIORITY, MAX_PRIORITY] is also valid."""

    # Background work that may wait behind everything else.
    LOW = -50
    # The default, matching django.tasks' DEFAULT_TASK_PRIORITY.
    NORMAL = 0
    # Work a user is waiting for.
    HIGH = 50
    # Work that must jump every queue.
    CRITICAL = 100


def priority_label(priority: int) -> str:
    """Name the level a priority belongs to: the highest named level not above it."""
    label = "below low"
    for level in sorted(Priority):
        if priority >= level:
            label = level.name.lower()
    return label
