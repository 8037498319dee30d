"""The guard every repository applies before pruning: only finished tasks ever go."""

from __future__ import annotations

from .status import TaskStatus


def check_prunable(statuses: frozenset[TaskStatus], limit: int) -> None:
    """Raise ValueError unless every status is terminal and the limit is positive."""
    live = sorted(status.value for status in statuses if not status.is_terminal)
    if live:
        raise ValueError(f"only finished tasks can be pruned, not {', '.join(live)} ones")
    if limit < 1:
        raise ValueError("limit must be at least 1")
