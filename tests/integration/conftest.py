"""Fixtures shared by the integration tests: the real database under test."""

from __future__ import annotations

import pytest

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
