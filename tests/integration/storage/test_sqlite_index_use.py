"""On SQLite a claim and a promotion cost the same at any backlog, statistics or none.

SQLite gathers no statistics unless ANALYZE runs, and nothing runs it on a database that
only `migrate` and the workers touch. Without them its planner read the claim through the
(queue, run_after) index and sorted every due row of the queue, under the write lock: 6.9
ms a claim at 20,000 ready tasks. The promoter's IN list was not written as the delayed
index's predicate, so SQLite could never use that index; it sorted every delayed row on
each pass. The writes that name their rows by id (a round of successes, the stamp of
starts, a promotion, a workflow's release) went through the status index instead of the
primary key, and read every row of that status. The bench's W6 ran ANALYZE after loading
its backlog, and did not see any of it.

Cost is counted in SQLite virtual-machine steps (a progress handler), not in time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain.task import PROMOTABLE_STATUSES
from scheduler_core.executor.held import HeldAttempts
from scheduler_core.executor.outcomes import OutcomeRecorder
from scheduler_core.models.choices import DELAYED_VALUES
from scheduler_core.services import StepRequest
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository
from scheduler_core.storage.promotion import promote_due_tasks

from .test_claim_rules import add_due
from .test_promotion_on_database import add_scheduled
from .test_round_write import succeeded

LEASE = timedelta(minutes=1)
SMALL, LARGE = 200, 4_000
# Progress-handler calls per N virtual-machine instructions.
STEP = 100


@pytest.fixture(autouse=True)
def sqlite_only(backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's planner; PostgreSQL's claim cost is the bench's W6")


@pytest.fixture(autouse=True)
def no_statistics(sqlite_only: None, no_sqlite_statistics: None) -> None:
    """As on a database no one ran ANALYZE on: no sqlite_stat1 rows, and none in use."""


def vm_steps(alias: str, action: Callable[[], Any]) -> int:
    """How many STEPs of SQLite instructions `action` ran on `alias`'s connection."""
    connection = connections[alias]
    connection.ensure_connection()
    raw = connection.connection
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    raw.set_progress_handler(count, STEP)
    try:
        action()
    finally:
        raw.set_progress_handler(None, STEP)
    return steps


def test_the_delayed_index_covers_exactly_the_promotable_statuses() -> None:
    assert set(DELAYED_VALUES) == {status.value for status in PROMOTABLE_STATUSES}


def test_a_claim_costs_the_same_behind_twenty_times_the_backlog(
    alias: str, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    add_due(tasks, SMALL)
    small = vm_steps(alias, lambda: queue.claim("w1", ["default"], 10, LEASE))
    add_due(tasks, LARGE - SMALL)

    large = vm_steps(alias, lambda: queue.claim("w1", ["default"], 10, LEASE))

    assert large <= 2 * small, f"{small} steps behind {SMALL} ready tasks, {large} behind {LARGE}"


def test_a_promotion_costs_the_same_behind_twenty_times_the_delayed_rows(
    alias: str, tasks: DjangoTaskRepository
) -> None:
    later, due = timedelta(hours=1), timedelta(seconds=-1)
    add_scheduled(tasks, *[later] * SMALL, *[due] * 10)
    small = vm_steps(alias, lambda: promote_due_tasks(alias, 100))
    add_scheduled(tasks, *[later] * (LARGE - SMALL), *[due] * 10)

    large = vm_steps(alias, lambda: promote_due_tasks(alias, 100))

    assert large <= 2 * small, f"{small} steps behind {SMALL} delayed rows, {large} behind {LARGE}"


def test_a_round_of_successes_costs_the_same_behind_twenty_times_the_running_rows(
    alias: str, services: Services, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    def running_elsewhere(count: int) -> None:
        add_due(tasks, count)
        assert len(queue.claim("w2", ["default"], count, LEASE)) == count

    def round_steps() -> int:
        add_due(tasks, 10)
        mine = queue.claim("w1", ["default"], 10, LEASE)
        recorder = OutcomeRecorder(services, alias, HeldAttempts())
        # Six successes, and the starts of four attempts still running: both writes.
        return vm_steps(
            alias, lambda: recorder.record_many(list(map(succeeded, mine[:6])), mine[6:])
        )

    running_elsewhere(SMALL)
    small = round_steps()
    running_elsewhere(LARGE - SMALL)

    large = round_steps()

    assert large <= 2 * small, f"{small} steps beside {SMALL} running tasks, {large} beside {LARGE}"


def test_a_release_costs_the_same_behind_twenty_times_the_blocked_steps(
    alias: str, services: Services, queue: DjangoQueue
) -> None:
    def pairs(name: str, count: int) -> None:
        """A run of `count` parents on the default queue, each with a blocked child."""
        steps = [StepRequest(key=f"p{n}", task="demo.noop") for n in range(count)]
        steps += [
            StepRequest(key=f"c{n}", task="demo.noop", queue="later", after=(f"p{n}",))
            for n in range(count)
        ]
        services.workflows.enqueue(name, steps)

    def release_steps() -> int:
        parents = queue.claim("w1", ["default"], 10, LEASE)
        return vm_steps(
            alias, lambda: services.workers.complete_many([(task, None) for task in parents])
        )

    pairs("small", SMALL)
    small = release_steps()
    pairs("large", LARGE - SMALL)

    large = release_steps()

    assert large <= 2 * small, f"{small} steps beside {SMALL} blocked steps, {large} beside {LARGE}"
