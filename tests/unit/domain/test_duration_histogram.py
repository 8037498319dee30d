"""Log-spaced duration histograms: bucketing, merging and percentiles."""

from __future__ import annotations

import math
import random

import pytest

from scheduler_core.domain import duration_histogram as hist


def exact_percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def test_bounds_are_log_spaced_and_increasing() -> None:
    ratios = [b / a for a, b in zip(hist.BOUNDS, hist.BOUNDS[1:], strict=False)]
    assert all(1.2 < r < 1.3 for r in ratios)
    assert hist.BOUNDS[0] == 1e-4 and hist.BOUNDS[-1] == 1e5


def test_prometheus_bounds_are_bucket_bounds_in_1_2_5_steps() -> None:
    assert hist.PROMETHEUS_BOUNDS[:4] == (0.001, 0.0025, 0.005, 0.01)
    assert hist.PROMETHEUS_BOUNDS[-1] == 1000.0
    assert set(hist.PROMETHEUS_BOUNDS) <= set(hist.BOUNDS)


@pytest.mark.parametrize(
    ("seconds", "upper"),
    [
        (0.0, 1e-4),
        (-3.0, 1e-4),
        (1e-4, 1e-4),
        (0.00011, 1.25e-4),
        (1.0, 1.0),
        (1.01, 1.25),
        (2.5, 2.5),
        (99_999.0, 1e5),
        (1e6, math.inf),
    ],
)
def test_a_value_goes_to_the_bucket_whose_upper_bound_holds_it(
    seconds: float, upper: float
) -> None:
    index = hist.bucket_of(seconds)
    assert hist.upper_bound(index) == upper
    assert hist.lower_bound(index) < max(seconds, 1e-9) or index == 0


def test_merged_histograms_give_the_percentile_of_all_values() -> None:
    rng = random.Random(7)
    parts = [[rng.lognormvariate(-1, 1.5) for _ in range(rng.randint(0, 300))] for _ in range(40)]
    merged: hist.Histogram = {}
    for part in parts:
        hist.add_into(merged, hist.decode(hist.encode(hist.histogram_of(part))))
    every = [v for part in parts for v in part]
    assert hist.count(merged) == len(every)
    for fraction in (0.5, 0.95, 0.99, 1.0):
        exact = exact_percentile(every, fraction)
        bucket = hist.percentile_bucket(merged, fraction)
        assert bucket == hist.bucket_of(exact)
        value = hist.percentile(merged, fraction)
        assert value is not None
        # The bound is at most one bucket (26 %) above the exact value.
        assert exact <= value <= max(exact * 1.27, 1e-4)


def test_percentile_of_nothing_is_none_and_fractions_are_checked() -> None:
    assert hist.percentile({}, 0.5) is None
    with pytest.raises(ValueError):
        hist.percentile({1: 1}, 0.0)
    with pytest.raises(ValueError):
        hist.percentile({1: 1}, 1.5)


def test_nearest_rank_at_a_bucket_edge() -> None:
    # 95 values in one bucket, 5 in a higher one: p95 is the 95th value, in the first.
    histogram = {10: 95, 20: 5}
    assert hist.percentile_bucket(histogram, 0.95) == 10
    assert hist.percentile_bucket(histogram, 0.96) == 20


def test_cumulative_counts_at_prometheus_bounds() -> None:
    values = [0.0005, 0.001, 0.002, 0.7, 3.0, 2000.0]
    histogram = hist.histogram_of(values)
    counts = hist.cumulative_at(histogram, hist.PROMETHEUS_BOUNDS)
    for bound, n in zip(hist.PROMETHEUS_BOUNDS, counts, strict=True):
        assert n == sum(1 for v in values if v <= bound)
