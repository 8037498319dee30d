"""Small statistics for the bench: nearest-rank percentiles and min/median/max of runs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank `p`th percentile (0 < p <= 100) of non-empty `values`."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def spread(values: Sequence[float]) -> dict[str, float]:
    """Min, median and max of the runs' figures."""
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
    }
