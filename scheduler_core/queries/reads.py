"""Where the read side reads: the scheduler's database, and the clock it keeps time by."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler_core.domain.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class Queries:
    """What the pages and the API read through, built by the composition root.

    Every query of this package takes the `database` alias; `clock` is that database's
    clock, which the ages, windows and staleness the pages show are measured by (the same
    clock the rescuer and the claim decide by).
    """

    database: str
    clock: Clock
