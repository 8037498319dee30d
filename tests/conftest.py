"""Shared pytest configuration: database markers for backend-parametrized tests."""

from __future__ import annotations

import pytest

from tests.databases import BACKEND_PARAMETERS, DATABASE_BACKENDS, alias_of, skip_reason


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give each test parametrized over a database the marker that sets that database up."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None:
            continue
        backends = {
            value
            for name, value in callspec.params.items()
            if name in BACKEND_PARAMETERS and value in DATABASE_BACKENDS
        }
        for backend in backends:
            reason = skip_reason(backend)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))
                continue
            # Real commits: tests on databases use threads and processes with their own
            # connections, which a test wrapped in a rolled-back transaction would hide.
            item.add_marker(
                pytest.mark.django_db(transaction=True, databases=["default", alias_of(backend)])
            )
            if backend == "postgres":
                item.add_marker(pytest.mark.postgres)
