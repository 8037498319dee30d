"""A schedule that starts a workflow: racing tickers start one run per due time, whole."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import CatchUp, Schedule, ScheduleInvalid, TaskStatus
from scheduler_core.storage import DjangoScheduleRepository

TICKERS = 6
TEMPLATE: list[dict[str, Any]] = [
    {"key": "a", "task": "demo.noop"},
    {"key": "b", "task": "demo.noop", "after": ["a"]},
    {"key": "c", "task": "demo.noop", "after": ["a"], "priority": 5},
]


def nightly(**fields: object) -> Schedule:
    return Schedule(
        name="nightly",
        task="nightly-report",
        interval_seconds=10,
        catch_up=CatchUp.ALL,
        workflow=TEMPLATE,
        **fields,  # type: ignore[arg-type]
    )


def test_racing_tickers_start_one_run_per_due_time(alias: str, services: Services) -> None:
    services.schedules.create(nightly())
    DjangoScheduleRepository(alias).reschedule(
        "nightly", services.clock.now() - timedelta(seconds=35)
    )
    start = threading.Barrier(TICKERS)

    def race() -> None:
        try:
            start.wait()
            services.ticker.tick()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race) for _ in range(TICKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    runs = [
        services.workflows.get(s.id) for s in services.workflows.list_runs(name="nightly-report")
    ]
    # Due 35, 25, 15 and 5 seconds ago: four runs, each with its three steps.
    assert len(runs) == 4
    for run in runs:
        assert {t.step_key: t.status for t in run.steps} == {
            "a": TaskStatus.READY,
            "b": TaskStatus.BLOCKED,
            "c": TaskStatus.BLOCKED,
        }
        assert run.step("c").priority == 5


def test_run_now_starts_a_run(services: Services) -> None:
    services.schedules.create(nightly())

    first = services.schedules.run_now("nightly", actor="op")

    [summary] = services.workflows.list_runs(name="nightly-report")
    assert first.id in {t.id for t in services.workflows.get(summary.id).steps}


@pytest.mark.parametrize(
    ("template", "field"),
    [
        ([{"key": "a", "task": "no.such.task"}], "workflow.steps['a'].task"),
        ([{"key": "a", "task": "demo.noop", "after": ["x"]}], "workflow.steps['a'].after"),
        ([{"key": "a", "task": "demo.noop", "bogus": 1}], "workflow[0]"),
        ([], None),
    ],
    ids=["unknown-task", "unknown-key", "unknown-field", "empty-is-a-task-schedule"],
)
def test_a_bad_template_is_refused_naming_the_step(
    services: Services, template: list[dict[str, object]], field: str | None
) -> None:
    schedule = Schedule(name="bad", task="demo.noop", interval_seconds=10, workflow=template)
    if field is None:
        services.schedules.create(schedule)
        return
    with pytest.raises(ScheduleInvalid) as caught:
        services.schedules.create(schedule)

    assert caught.value.field == field
