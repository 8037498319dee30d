"""Fixtures for the ORM adapters on every real database (`backend`, `alias`: ../conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connections

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain import RetryPolicy
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository, DjangoWorkerRepository

TASK_NAMES = ("demo.noop", "demo.flaky")


@pytest.fixture
def tasks(alias: str) -> DjangoTaskRepository:
    """The task repository on the backend under test."""
    return DjangoTaskRepository(alias)


@pytest.fixture
def workers(alias: str) -> DjangoWorkerRepository:
    """The worker repository on the backend under test."""
    return DjangoWorkerRepository(alias)


@pytest.fixture
def queue(tasks: DjangoTaskRepository) -> Iterator[DjangoQueue]:
    """The queue on the backend under test, closed afterwards."""
    django_queue = DjangoQueue(tasks)
    yield django_queue
    django_queue.close()


@pytest.fixture
def services(alias: str) -> Services:
    """The services wired to the ORM adapters on the backend under test."""
    return build_services(
        "django",
        database=alias,
        task_names=TASK_NAMES,
        policy=RetryPolicy(base=timedelta(seconds=30), jitter=0),
        rescue_batch_size=2,
    )


@pytest.fixture
def no_sqlite_statistics(backend: str, alias: str) -> None:
    """On SQLite, as on a database no one ran ANALYZE on: the test database is shared by the
    session, and a test may have gathered statistics. Nothing elsewhere."""
    if backend != "sqlite":
        return
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("DELETE FROM sqlite_stat1")
            # Makes the planner read the (now empty) statistics again.
            cursor.execute("ANALYZE sqlite_schema")
