"""SQLite gets its planner's statistics from the workers' maintenance pass as tasks pile up.

Nothing ran ANALYZE on a live SQLite database, and without statistics the dashboard's
page of one error group took 254 ms at 100,000 tasks against 26 ms with them (round 7 of
docs/performance.md). PostgreSQL's autovacuum gathers its own; there the step does nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.executor.maintenance import MaintenanceThread

MIN_TASKS = 10_000


def submit(services: Services, count: int) -> None:
    for first in range(0, count, 1000):
        services.tasks.submit_many(
            [SubmitRequest(name="demo.noop") for _ in range(min(1000, count - first))]
        )


def has_statistics(alias: str) -> bool:
    """True when sqlite_stat1 holds statistics of the task table's indexes."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'scheduler_task'")
        return bool(cursor.fetchone()[0])


def maintenance_pass(services: Services) -> None:
    MaintenanceThread(services=services, interval=1.0, stale_after=timedelta(seconds=30)).run_once()


pytestmark = pytest.mark.usefixtures("no_sqlite_statistics")


def test_a_maintenance_pass_gathers_statistics_once_the_tasks_pile_up(
    backend: str, alias: str, services: Services
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL's autovacuum gathers its own statistics")
    submit(services, MIN_TASKS // 2)
    maintenance_pass(services)
    assert not has_statistics(alias), "statistics of a small table mislead once it grows"

    submit(services, MIN_TASKS // 2)
    maintenance_pass(services)

    assert has_statistics(alias)


def test_statistics_are_gathered_again_only_once_the_table_doubles(
    backend: str, alias: str, services: Services
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL's autovacuum gathers its own statistics")
    statistics = services.statistics
    assert statistics is not None
    submit(services, MIN_TASKS)
    assert statistics.refresh()
    submit(services, MIN_TASKS // 2)

    assert not statistics.refresh(), "1.5 times the rows: the statistics still fit"
    submit(services, MIN_TASKS // 2)
    assert statistics.refresh()
    assert has_statistics(alias)


def test_on_postgresql_the_step_does_nothing(backend: str, services: Services) -> None:
    if backend != "postgres":
        pytest.skip("the SQLite cases are above")
    statistics = services.statistics
    assert statistics is not None
    submit(services, 100)
    assert not statistics.refresh()
