"""Axis scales: a round top for the y axis, evenly spaced ticks, which x labels to print."""

from __future__ import annotations

import math

# Steps a tick spacing is rounded up to, per power of ten.
_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_ceiling(value: float, ticks: int = 4) -> float:
    """The smallest "round" top (1, 2, 2.5 or 5 times a power of ten, per tick) >= value."""
    if ticks < 1:
        raise ValueError("ticks must be at least 1")
    if not math.isfinite(value) or value <= 0:
        return 1.0
    raw_step = value / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw_step))
    step = next(s * magnitude for s in _STEPS if s * magnitude >= raw_step * (1 - 1e-9))
    return step * ticks


def tick_values(top: float, ticks: int = 4) -> list[float]:
    """0, top/ticks, ..., top."""
    return [top * index / ticks for index in range(ticks + 1)]


def label_every(count: int, most: int = 6) -> int:
    """Print every n-th x label so that at most `most` labels share the axis."""
    if count <= most:
        return 1
    return math.ceil(count / most)


def format_number(value: float) -> str:
    """A tick number without noise: 0, 5, 2.5, 1.2k, 3M."""
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    if value == int(value):
        return str(int(value))
    return f"{value:.3g}"
