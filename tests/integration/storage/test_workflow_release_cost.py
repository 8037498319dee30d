"""What the release costs an outcome writer: a round of successes of steps against plain tasks.

Both go through WorkerService.complete_many (the set-based write) in rounds of 100, as a
supervisor writes them. The times are printed for docs/workflows.md; what is asserted is
the number of statements a round takes, which a release that stopped being set-based (one
statement per step) would blow up whatever the machine's load.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.services import StepRequest
from scheduler_core.storage import DjangoQueue

LEASE = timedelta(minutes=5)
COUNT = 2000
ROUND = 100

pytestmark = pytest.mark.slow


def finish_all(services: Services, queue: DjangoQueue, alias: str) -> tuple[float, int]:
    """Claim everything ready on the default queue and complete it in rounds.

    The seconds it took, and the most statements one round ran.
    """
    claimed = []
    while batch := queue.claim("w1", ["default"], 500, LEASE):
        claimed += batch
    most = 0
    started = time.perf_counter()
    for first in range(0, len(claimed), ROUND):
        with CaptureQueriesContext(connections[alias]) as round_queries:
            services.workers.complete_many(
                [(task, None) for task in claimed[first : first + ROUND]]
            )
        most = max(most, len(round_queries.captured_queries))
    return time.perf_counter() - started, most


@pytest.mark.parametrize("shape", ["fan-in", "pairs"])
def test_a_step_costs_little_more_than_a_task_to_complete(
    services: Services,
    queue: DjangoQueue,
    alias: str,
    shape: str,
    record_property: Callable[[str, object], None],
) -> None:
    for _ in range(0, COUNT, 1000):
        services.tasks.submit_many([SubmitRequest(name="demo.noop") for _ in range(1000)])
    plain, plain_statements = finish_all(services, queue, alias)

    if shape == "fan-in":
        steps = [StepRequest(key=f"p{n}", task="demo.noop") for n in range(COUNT)]
        parts = tuple(step.key for step in steps)
        steps.append(StepRequest(key="join", task="demo.noop", queue="later", after=parts))
    else:
        steps = [StepRequest(key=f"p{n}", task="demo.noop") for n in range(COUNT)]
        steps += [
            StepRequest(key=f"c{n}", task="demo.noop", queue="later", after=(f"p{n}",))
            for n in range(COUNT)
        ]
    run = services.workflows.enqueue(shape, steps)
    stepped, step_statements = finish_all(services, queue, alias)

    per_step_us = (stepped - plain) / COUNT * 1e6
    summary = (
        f"{shape}: {COUNT} plain tasks completed in {plain:.2f} s, {COUNT} steps in "
        f"{stepped:.2f} s: {per_step_us:+.0f} us per step; statements per round of {ROUND}: "
        f"{plain_statements} plain, {step_statements} steps"
    )
    print(summary)
    record_property("release_cost", summary)
    view = services.workflows.get(run.id)
    released = [t for t in view.steps if t.queue == "later" and t.status.value == "ready"]
    assert len(released) == (1 if shape == "fan-in" else COUNT)
    # Consume the edges, lock the children, count them down, log them, notify: a handful.
    # Steps take the transaction (a savepoint, the update, the events, the release), where
    # plain successes on PostgreSQL are one statement (storage/round_write.py): 9 or 10 in
    # all, where one statement per step would be a hundred.
    assert step_statements <= 14, summary
