"""The statistics a database's query planner needs, kept fresh by the maintenance pass."""

from __future__ import annotations

from abc import ABC, abstractmethod


class PlannerStatistics(ABC):
    """Gathers the planner's statistics again once the data has outgrown them."""

    @abstractmethod
    def refresh(self) -> bool:
        """Gather them if they are missing or stale; True if it did. Safe from every worker."""
