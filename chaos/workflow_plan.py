"""The workflow runs a chaos run enqueues beside its tasks: joins, fan-in, cascades."""

from __future__ import annotations

import random

from scheduler_core.services import StepRequest

from .kinds import KINDS

# A fan-out this wide into one join step.
FAN_WIDTH = 20
SHAPES = ("diamond", "fan", "doomed", "tolerant")


def _step(key: str, kind: str, *after: str, **kwargs: object) -> StepRequest:
    return StepRequest(
        key=key,
        task=KINDS[kind].name,
        kwargs=dict(kwargs),
        after=after,
        max_attempts=KINDS[kind].max_attempts,
    )


def plan_workflows(count: int, rng: random.Random) -> list[tuple[str, list[StepRequest]]]:
    """`count` runs, the shapes in turn: (name, steps)."""
    return [_shape(SHAPES[n % len(SHAPES)], rng) for n in range(count)]


def _shape(shape: str, rng: random.Random) -> tuple[str, list[StepRequest]]:
    if shape == "diamond":
        # Two parents finishing at about the same time on different workers.
        return shape, [
            _step("a", "quick"),
            _step("b", "flaky", "a", failures=rng.randint(1, 2)),
            _step("c", "slow", "a", seconds=round(rng.uniform(0.3, 1.0), 2)),
            _step("d", "quick", "b", "c"),
        ]
    if shape == "fan":
        parts = [f"part-{n}" for n in range(FAN_WIDTH)]
        return shape, [
            _step("root", "quick"),
            *(_step(part, "quick", "root") for part in parts),
            _step("join", "quick", *parts),
        ]
    if shape == "doomed":
        # The first step fails for good: the rest is cancelled, "upstream failed: a".
        return shape, [
            _step("a", "always_fails"),
            _step("b", "quick", "a"),
            _step("c", "quick", "b"),
        ]
    # tolerant: the failure of "a" counts as done for "b".
    return shape, [
        _step("a", "always_fails"),
        StepRequest(
            key="b",
            task=KINDS["quick"].name,
            after=("a",),
            ignore_failure_of=("a",),
            max_attempts=KINDS["quick"].max_attempts,
        ),
    ]
