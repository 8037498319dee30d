"""What every workload module provides: one run on a fresh database, returning its figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .databases import DatabaseServer
from .sizes import Sizes


@dataclass(slots=True)
class Figures:
    """One run's measurements (numbers, aggregated over runs) and notes (kept from the last)."""

    metrics: dict[str, float]
    notes: dict[str, Any] = field(default_factory=dict)


class Workload(Protocol):
    """A bench workload: a name, a description and one run."""

    NAME: str
    TITLE: str

    def run(self, server: DatabaseServer, sizes: Sizes) -> Figures:
        """Measure once on a fresh database of `server`."""
        ...
