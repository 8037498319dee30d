"""Fixtures shared by the integration tests: the real database under test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from pytest_django import Settings

from scheduler_core.bootstrap import Services, get_services, reset_services
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
def services(alias: str, settings: Settings) -> Iterator[Services]:
    """The process's services (what views and the API call), on the database under test."""
    settings.SCHEDULER = {**settings.SCHEDULER, "DATABASE": alias}
    cache.clear()
    reset_services()
    yield get_services()
    reset_services()
    cache.clear()
