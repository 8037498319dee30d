"""A queue's rate limit holds across three real worker processes, on both engines.

The starts are read from the tasks' rows (started_at, the database's clock at the claim).
The bucket starts full, so the first second may start twice the rate; after it, starts
follow the rate. Measured over ten seconds after that first second, the count stays within
12 % of the rate (a cap above and a floor below: an idle claimer must notice a refill).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.domain.queue_rates import QueueRate
from scheduler_core.models import TaskRecord

from .conftest import WorkerProcess, task_name, wait_until

pytestmark = pytest.mark.slow

RATE = 10
WINDOW_SECONDS = 10
TOLERANCE = 0.12


def test_three_workers_start_no_more_than_the_rate_together(
    services: Services, start_worker: Callable[..., WorkerProcess], alias: str
) -> None:
    services.tasks.set_queue_rate("rated", QueueRate(RATE))
    requests = [SubmitRequest(name=task_name("noop"), queue="rated") for _ in range(200)]
    services.tasks.submit_many(requests)
    for _ in range(3):
        start_worker("--queues", "rated", "--concurrency", "4")

    rows = TaskRecord.objects.using(alias).filter(queue="rated")
    wait_until(
        lambda: rows.filter(started_at__isnull=False).count() >= RATE * (WINDOW_SECONDS + 3),
        timeout=60,
        what="the workers to start the measured window's tasks",
    )

    starts = sorted(
        moment for moment in rows.values_list("started_at", flat=True) if moment is not None
    )
    first = starts[0]
    assert len({row.worker_id for row in rows.exclude(worker_id=None)}) == 3
    # The full bucket's burst, plus one second of refill.
    burst = [s for s in starts if s < first + timedelta(seconds=1)]
    assert len(burst) <= 2 * RATE + 1
    window_start = first + timedelta(seconds=1)
    window_end = window_start + timedelta(seconds=WINDOW_SECONDS)
    measured = sum(1 for s in starts if window_start <= s < window_end)
    expected = RATE * WINDOW_SECONDS
    assert abs(measured - expected) <= TOLERANCE * expected, (measured, expected)
