"""Arguments, results and schedule arguments read back exactly as written, on both engines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Schedule, Task
from scheduler_core.models.exact_json import dumps
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

# Floats PostgreSQL's numeric turned into ints (1e16 and beyond), and neighbours that it did not.
VALUES: list[Any] = [1e16, -3e20, 1.7976931348623157e308, 1e15, 0.1, 1.5e-300, 10**30, 2.0]


@pytest.mark.parametrize("value", VALUES)
def test_arguments_and_results_round_trip(
    services: Services, tasks: DjangoTaskRepository, queue: DjangoQueue, value: Any
) -> None:
    now = tasks.clock.now()
    tasks.add(
        Task.create(
            "demo.noop",
            now=now,
            run_after=now - timedelta(seconds=1),
            args=[value],
            kwargs={"k": [value]},
        )  # fmt: skip
    )
    [claimed] = queue.claim("w1", ["default"], 1, timedelta(minutes=5))

    services.workers.complete(claimed, {"v": value})

    stored = tasks.get(claimed.id)
    assert (stored.args, stored.kwargs, stored.result) == ([value], {"k": [value]}, {"v": value})
    assert type(stored.args[0]) is type(value)
    assert type(stored.result["v"]) is type(value)


def test_schedule_arguments_round_trip(services: Services) -> None:
    services.schedules.create(
        Schedule(name="s", task="demo.noop", interval_seconds=60, args=[1e16, 1e300])
    )

    [stored] = services.schedules.all()

    assert [type(value) for value in stored.args] == [float, float]


def test_text_holding_an_exponent_is_left_alone() -> None:
    assert dumps(["1e+16", 1e16, {"a": -2e22}]) == (
        '["1e+16", 10000000000000000.0, {"a": -20000000000000000000000.0}]'
    )
