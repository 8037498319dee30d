"""The sliding log: never more than `limit` tasks in any span of `seconds`."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_core.domain.submit_window import SlidingWindow

WINDOW = SlidingWindow(limit=10, seconds=60)


@pytest.mark.parametrize(
    ("recent", "cost", "now", "expected"),
    [
        ([], 10, 0, 0.0),
        ([], 11, 0, math.inf),
        ([(50.0, 9)], 1, 55, 0.0),
        # Full: room once the submit at 50 has slid out, at 110.
        ([(50.0, 9), (52.0, 1)], 1, 61, 49.0),
        # A batch of 3 needs both of the oldest gone.
        ([(50.0, 2), (52.0, 2), (58.0, 6)], 3, 61, 51.0),
    ],
)
def test_wait(recent: list[tuple[float, int]], cost: int, now: float, expected: float) -> None:
    assert WINDOW.wait(recent, cost, now) == pytest.approx(expected)


@given(
    st.lists(
        st.tuples(st.floats(min_value=0, max_value=300, allow_nan=False), st.integers(1, 4)),
        max_size=200,
    )
)
def test_never_more_than_the_limit_in_any_span(submits: list[tuple[float, int]]) -> None:
    taken: list[tuple[float, int]] = []
    for now, cost in sorted(submits):
        recent = [(at, c) for at, c in taken if at > now - WINDOW.seconds]
        if WINDOW.wait(recent, cost, now) == 0:
            taken.append((now, cost))
    for start, _ in taken:
        inside = sum(c for at, c in taken if start <= at < start + WINDOW.seconds)
        assert inside <= WINDOW.limit


def test_the_boundary_burst_of_issue_16_is_refused() -> None:
    # The limit at the end of one minute, then more just after it: none fit until 60 s on.
    taken = [(59.0, 10)]

    assert WINDOW.wait(taken, 1, 61.0) == pytest.approx(58.0)
