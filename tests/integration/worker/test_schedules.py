"""Three real worker processes tick one every-second schedule: each due time fires once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import CatchUp, PageRequest, Schedule, TaskFilter

from .conftest import WorkerProcess, task_name, wait_until

pytestmark = pytest.mark.slow

WORKERS = 3
# Enough seconds that every worker ticks many times with overlapping passes.
DUE_TIMES = 7
FIRED = re.compile(r"schedule 'every-second' fired for (\S+)")


def fire_times(services: Services) -> list[datetime]:
    page = services.tasks.list(TaskFilter(name=task_name("noop")), PageRequest(limit=500))
    return [datetime.fromisoformat((t.unique_key or "").split(":", 2)[2]) for t in page.items]


def test_three_workers_fire_each_due_second_exactly_once(
    services: Services, start_worker: Callable[..., WorkerProcess]
) -> None:
    created = services.schedules.create(
        Schedule(
            name="every-second",
            task=task_name("noop"),
            interval_seconds=1,
            catch_up=CatchUp.ALL,
            catch_up_limit=100,
        )
    )
    workers = [start_worker("--maintenance-interval", "0.2") for _ in range(WORKERS)]
    wait_until(lambda: len(fire_times(services)) >= DUE_TIMES, what="seven due times fired")
    for worker in workers:
        worker.stop()

    fired = sorted(fire_times(services))
    # One task per due time from the first on, none skipped, none twice.
    assert fired[0] == created.next_run_at
    assert len(fired) == len(set(fired))
    assert fired == [fired[0] + timedelta(seconds=n) for n in range(len(fired))]
    # Each due time was fired by exactly one worker's ticker (the unique key aside).
    per_worker = [FIRED.findall(worker.log.read_text()) for worker in workers]
    logged = Counter(moment for lines in per_worker for moment in lines)
    assert sorted(datetime.fromisoformat(m) for m in logged) == fired
    assert set(logged.values()) == {1}
    counts = ", ".join(f"w{n + 1}={len(lines)}" for n, lines in enumerate(per_worker))
    print(f"\nschedule ticks: {len(fired)} due times, fired by {counts}")
