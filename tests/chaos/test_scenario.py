"""The chaos mix: how long its long tasks run."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from chaos.scenario import plan


def long_runs(long_seconds: float | None) -> list[float]:
    extra = {} if long_seconds is None else {"long_seconds": long_seconds}
    planned = plan(
        2_000, rng=random.Random(7), now=datetime.now(UTC), delay_spread=10, long_share=0.2, **extra
    )
    return [
        float(each.request.kwargs["seconds"])
        for each in planned
        if each.request.name.endswith("long")
    ]


def test_long_tasks_run_five_to_thirty_seconds_by_default() -> None:
    seconds = long_runs(None)

    assert len(seconds) > 300
    assert 5 <= min(seconds) < 6
    assert 29 < max(seconds) <= 30


def test_a_short_run_can_cap_its_long_tasks() -> None:
    seconds = long_runs(10)

    assert 5 <= min(seconds) < 6
    assert 9 < max(seconds) <= 10
