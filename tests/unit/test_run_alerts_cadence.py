"""`run_alerts` starts its passes on a fixed cadence, whatever a pass costs.

It used to wait --interval after each pass, so every period grew by the pass's duration
and a rule's `for` could fire a whole pass late on a loaded machine (CI saw 4.1 s where
for + one interval is 3 s).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from scheduler_core.management.commands import run_alerts


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


class Stopping:
    """Records each wait and lets the clock run through it; stops after `passes` waits."""

    def __init__(self, clock: Clock, passes: int) -> None:
        self.clock = clock
        self.passes = passes
        self.waits: list[float] = []

    def wait(self, seconds: float) -> bool:
        self.waits.append(round(seconds, 6))
        self.clock.now += seconds
        return len(self.waits) >= self.passes


def run(
    monkeypatch: pytest.MonkeyPatch, pass_costs: list[float]
) -> tuple[list[float], list[float]]:
    """Run the loop with passes costing `pass_costs` seconds; return the waits and starts."""
    clock = Clock()
    starts: list[float] = []
    costs = iter(pass_costs)

    def run_pass() -> tuple[SimpleNamespace, SimpleNamespace]:
        starts.append(round(clock.now - 100.0, 6))
        clock.now += next(costs)
        return SimpleNamespace(moves=0), SimpleNamespace(sent=0, failed=0)

    monkeypatch.setattr(run_alerts, "time", SimpleNamespace(monotonic=clock.monotonic))
    monkeypatch.setattr(
        run_alerts, "get_alert_services", lambda: SimpleNamespace(run_pass=run_pass)
    )
    monkeypatch.setattr(run_alerts, "close_old_connections", lambda: None)
    stopping = Stopping(clock, len(pass_costs))
    run_alerts.Command()._loop(1.0, False, stopping)  # type: ignore[arg-type]
    return stopping.waits, starts


def test_a_pass_costing_0_4_s_leaves_0_6_s_to_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    waits, starts = run(monkeypatch, [0.4, 0.4, 0.4])
    assert waits == [0.6, 0.6, 0.6]
    assert starts == [0.0, 1.0, 2.0]


def test_a_pass_that_overruns_starts_the_next_at_once_without_a_catch_up_burst(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits, starts = run(monkeypatch, [2.5, 0.1, 0.1])
    assert waits == [0.0, 0.9, 0.9]
    assert starts == [0.0, 2.5, 3.5]
