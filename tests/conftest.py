"""Shared pytest configuration: database markers for backend-parametrized tests."""

from __future__ import annotations

import pytest

from tests.databases import BACKEND_PARAMETERS, DATABASE_BACKENDS, alias_of, skip_reason


def run_group(item: pytest.Item) -> str:
    """The tests of one file run on one worker (`make test` uses --dist loadgroup), as
    --dist loadfile would; a slow file's tests on each engine form a group of their own.

    Slow tests run real worker processes for tens of seconds each; a file of them on both
    engines, kept on one worker, was the longest stretch of the suite, the other worker
    done and idle.
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
