"""Named priority levels and the label of any priority."""

from __future__ import annotations

import pytest

from scheduler_core.domain import MAX_PRIORITY, MIN_PRIORITY, Priority
from scheduler_core.domain.priority import priority_label


def test_named_levels_lie_in_the_range_and_rise() -> None:
    levels = list(Priority)

    assert [level.name for level in levels] == ["LOW", "NORMAL", "HIGH", "CRITICAL"]
    assert levels == sorted(levels)
    assert all(MIN_PRIORITY <= level <= MAX_PRIORITY for level in levels)
    assert (Priority.NORMAL, Priority.CRITICAL) == (0, MAX_PRIORITY)


@pytest.mark.parametrize(
    ("priority", "label"),
    [
        (MIN_PRIORITY, "below low"),
        (-51, "below low"),
        (-50, "low"),
        (-1, "low"),
        (0, "normal"),
        (49, "normal"),
        (50, "high"),
        (99, "high"),
        (MAX_PRIORITY, "critical"),
        (Priority.HIGH, "high"),
    ],
)
def test_priority_label(priority: int, label: str) -> None:
    assert priority_label(priority) == label
