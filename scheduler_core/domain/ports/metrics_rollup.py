"""The metrics rollup the workers' maintenance pass keeps up to date (docs/metrics.md)."""

from __future__ import annotations

from abc import ABC, abstractmethod


class MetricsRollup(ABC):
    """Counts what finished into per-minute rows and merges old rows into wider ones."""

    @abstractmethod
    def roll_up(self) -> object:
        """One pass; safe to call from every worker at once (one does the work)."""
