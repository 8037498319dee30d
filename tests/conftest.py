"""Shared pytest configuration: database markers for backend-parametrized tests."""

from __future__ import annotations

import pytest
from django.db import connections
from pytest_django import DjangoDbBlocker

from tests import coverage_scope, fast_flush, kept_on_flush
from tests.databases import BACKEND_PARAMETERS, DATABASE_BACKENDS, alias_of, skip_reason


def pytest_addoption(parser: pytest.Parser) -> None:
    coverage_scope.add_option(parser)


# Coverage paused outside tests/unit and tests/contract (tests/coverage_scope.py).
pytest_runtest_protocol = coverage_scope.pytest_runtest_protocol


def pytest_configure(config: pytest.Config) -> None:
    """Empty the test databases between tests the cheaper way: DELETEs on PostgreSQL
    (tests/fast_flush.py), content types and permissions kept while intact
    (tests/kept_on_flush.py)."""
    fast_flush.install()
    kept_on_flush.install()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """The test databases as pytest-django makes them; PostgreSQL's without waiting for
    the WAL to reach the disk at each commit.

    A commit then takes about 0.2 ms instead of 2 to 3 ms on this machine's disk, for the
    test's own connections and for the worker processes it starts alike (the setting is the
    database's). What one session sees of another's commits does not change; only a crash
    of the server could lose the last commits, and no test crashes it.
    """
    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
            # Connections made from now on take the setting.
            connection.close()


def run_group(item: pytest.Item) -> str:
    """The tests of one file run on one worker (`make test` uses --dist loadgroup), as
    --dist loadfile would; a slow file's tests on each engine form a group of their own.

    Slow tests run real worker processes for tens of seconds each; a file of them on both
    engines, kept on one worker, was the longest stretch of the suite, the other worker
    done and idle.

    Not in effect with the pinned pytest 9.2 and pytest-xdist 3.8: xdist names the group
    by rewriting `item._nodeid`, which pytest 9.2 no longer reads (a node's id is `_id`),
    so every test is scheduled on its own and no test may rely on another's process.
    """
    group = item.nodeid.split("::", 1)[0]
    callspec = getattr(item, "callspec", None)
    if callspec is None or item.get_closest_marker("slow") is None:
        return group
    engines = sorted(
        {v for v in callspec.params.values() if isinstance(v, str) and v in DATABASE_BACKENDS}
    )
    return "+".join([group, *engines])


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give each test parametrized over a database the marker that sets that database up,
    and each test the group that says which tests share a worker of `pytest -n`."""
    for item in items:
        item.add_marker(pytest.mark.xdist_group(run_group(item)))
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
