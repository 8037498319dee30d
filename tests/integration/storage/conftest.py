"""Fixtures for the ORM adapters on every real database the machine offers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scheduler_core.storage import DjangoQueue, DjangoTaskRepository, DjangoWorkerRepository
from tests.databases import alias_of


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test."""
    name: str = request.param
    return name


@pytest.fixture
def alias(backend: str) -> str:
    """The DATABASES alias of the backend under test."""
    return alias_of(backend)


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
