"""The mix of tasks a chaos run submits, and which of them it will cancel."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scheduler_core.domain.ports import SubmitRequest

from .kinds import KINDS

# Share of each kind in the mix (the schedule's ticks come on top).
MIX = {
    "quick": 0.53,
    "slow": 0.03,
    "long": 0.02,
    "flaky": 0.15,
    "always_fails": 0.05,
    "bad_result": 0.02,
    "delayed": 0.15,
    "cancellable": 0.05,
}
# A long task runs 5 s to this many (a short run caps it lower: --long-seconds).
LONG_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Planned:
    """One task to submit, and whether the runner will try to cancel it."""

    request: SubmitRequest
    cancel: bool


def plan(
    count: int,
    *,
    rng: random.Random,
    now: datetime,
    delay_spread: float,
    long_share: float = MIX["long"],
    long_seconds: float = LONG_SECONDS,
) -> list[Planned]:
    """`count` tasks in the mix, shuffled; delayed and long ones fall due within `delay_spread` s.

    `long_share` replaces the share of long tasks (taken from the quick ones): a short run
    needs more of them to have one running whenever a supervisor is to be killed.
    Long tasks run 5 to `long_seconds` s.
    """
    mix = {**MIX, "long": long_share, "quick": MIX["quick"] + MIX["long"] - long_share}
    kinds = rng.choices(list(mix), weights=list(mix.values()), k=count)
    return [_one(kind, rng, now, delay_spread, long_seconds) for kind in kinds]


def _one(
    function: str, rng: random.Random, now: datetime, spread: float, long_seconds: float
) -> Planned:
    kind = KINDS[function]
    kwargs: dict[str, object] = {}
    run_after = None
    if function == "slow":
        kwargs["seconds"] = round(rng.uniform(0.5, 2.0), 2)
    elif function == "long":
        kwargs["seconds"] = round(rng.uniform(5.0, max(5.0, long_seconds)), 2)
        run_after = now + timedelta(seconds=rng.uniform(0.0, max(1.0, spread)))
        kwargs["not_before"] = run_after.astimezone(UTC).timestamp()
    elif function == "cancellable":
        kwargs["seconds"] = round(rng.uniform(2.0, 5.0), 2)
    elif function == "flaky":
        kwargs["failures"] = rng.randint(1, 3)
    elif function == "delayed":
        run_after = now + timedelta(seconds=rng.uniform(1.0, max(1.0, spread)))
        kwargs["not_before"] = run_after.astimezone(UTC).timestamp()
    request = SubmitRequest(
        name=kind.name, kwargs=kwargs, run_after=run_after, max_attempts=kind.max_attempts
    )
    # Half the cancellable tasks are cancelled: some while waiting, most while running.
    return Planned(request=request, cancel=function == "cancellable" and rng.random() < 0.5)
