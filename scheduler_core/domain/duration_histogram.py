"""Histograms of durations over log-spaced buckets, which merge by adding counts.

A percentile cannot be averaged across minutes, but counts per bucket can be added: a
month's p99 is read from the sum of its rows' histograms. The bucket bounds are the
Renard R10 preferred numbers (1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8 times a power of
ten, each about 1.26 times the one before) from 0.1 ms to 100,000 s, so a percentile is
known to within one bucket (26 %), and the bounds include the 1-2.5-5 steps Prometheus
histograms use, which can therefore be read off exactly.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping

_MANTISSAS = ("1", "1.25", "1.6", "2", "2.5", "3.15", "4", "5", "6.3", "8")
# Upper bounds in seconds (a bucket holds the values above the previous bound, up to and
# including its own); past the last one, the overflow bucket LAST_INDEX + 1.
BOUNDS: tuple[float, ...] = (
    *(float(f"{mantissa}e{exponent}") for exponent in range(-4, 5) for mantissa in _MANTISSAS),
    1e5,
)
OVERFLOW = len(BOUNDS)
# The bounds exported as Prometheus buckets: 1 ms to 1,000 s in 1-2.5-5 steps.
PROMETHEUS_BOUNDS: tuple[float, ...] = tuple(
    bound
    for bound in BOUNDS
    if 1e-3 <= bound <= 1e3
    and f"{bound / 10 ** math.floor(math.log10(bound)):.2f}" in ("1.00", "2.50", "5.00")
)

# A histogram: bucket index -> how many values fell in it (empty buckets left out).
Histogram = dict[int, int]


def bucket_of(seconds: float) -> int:
    """The index of the bucket holding `seconds` (negative values count as 0)."""
    return bisect_left(BOUNDS, max(0.0, seconds))


def upper_bound(index: int) -> float:
    """The largest value bucket `index` holds (infinity for the overflow bucket)."""
    return BOUNDS[index] if index < OVERFLOW else math.inf


def lower_bound(index: int) -> float:
    """The value every member of bucket `index` exceeds (0 for the first bucket)."""
    return BOUNDS[index - 1] if index > 0 else 0.0


def histogram_of(values: Iterable[float]) -> Histogram:
    """The histogram of `values`."""
    counts: Histogram = {}
    for value in values:
        index = bucket_of(value)
        counts[index] = counts.get(index, 0) + 1
    return counts


def add_into(total: Histogram, other: Mapping[int, int]) -> None:
    """Add the counts of `other` into `total`."""
    for index, count in other.items():
        total[index] = total.get(index, 0) + count


def count(histogram: Mapping[int, int]) -> int:
    """How many values the histogram holds."""
    return sum(histogram.values())


def percentile_bucket(histogram: Mapping[int, int], fraction: float) -> int | None:
    """The bucket holding the nearest-rank percentile `fraction` (0 < fraction <= 1).

    The value of rank ceil(fraction * n) in sorted order lies in the returned bucket; None
    when the histogram is empty.
    """
    if not 0 < fraction <= 1:
        raise ValueError("a percentile is a fraction above 0 and at most 1")
    total = count(histogram)
    if total == 0:
        return None
    rank = max(1, math.ceil(fraction * total - 1e-9))
    seen = 0
    for index in sorted(histogram):
        seen += histogram[index]
        if seen >= rank:
            return index
    raise AssertionError("unreachable: the ranks add up to the total")  # pragma: no cover


def percentile(histogram: Mapping[int, int], fraction: float) -> float | None:
    """At most how long the `fraction` share of values took: their bucket's upper bound."""
    index = percentile_bucket(histogram, fraction)
    return None if index is None else upper_bound(index)


def cumulative_at(histogram: Mapping[int, int], bounds: Iterable[float]) -> list[int]:
    """How many values are at most each of `bounds` (each one of BOUNDS), in order."""
    ordered = sorted(histogram.items())
    result = []
    for bound in bounds:
        limit = bisect_left(BOUNDS, bound)
        result.append(sum(n for index, n in ordered if index <= limit))
    return result


def encode(histogram: Mapping[int, int]) -> dict[str, int]:
    """The histogram as a JSON object (keys are strings in JSON)."""
    return {str(index): n for index, n in sorted(histogram.items()) if n}


def decode(stored: Mapping[str, int] | None) -> Histogram:
    """A histogram back from its JSON object."""
    return {int(index): int(n) for index, n in (stored or {}).items()}
