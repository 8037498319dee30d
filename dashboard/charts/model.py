"""What a chart shows: a titled series of labelled points, some of them without a value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    """One bucket: its axis label, its value (None: nothing to measure) and its tooltip."""

    label: str
    value: float | None
    tooltip: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    """A series to draw; `series` names the CSS class that colours it (series-<series>)."""

    title: str
    series: str
    points: Sequence[Point]
    # Appended to the y-axis numbers ("s" for seconds); empty for plain counts.
    unit: str = ""
    summary: str = ""

    @property
    def values(self) -> list[float]:
        """The values that exist, in order."""
        return [point.value for point in self.points if point.value is not None]

    @property
    def label(self) -> str:
        """What a screen reader announces for the picture: the title and the summary."""
        return f"{self.title}. {self.summary}" if self.summary else self.title
