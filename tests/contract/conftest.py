"""The `kit` fixture, once per registered adapter, and factories relative to its clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from .factories import TaskFactory, WorkerFactory
from .kits import KIT_FACTORIES, StorageKit
from .racing import switch_threads_often

__all__ = ["switch_threads_often"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses `kit` once per registered adapter, with the adapter as id."""
    # Read at collection time, not import time, so kits registered late still take part.
    if "kit" in metafunc.fixturenames:
        kits = [pytest.param(name, marks=f.marks, id=name) for name, f in KIT_FACTORIES.items()]
        metafunc.parametrize("kit", kits, indirect=True)


@pytest.fixture
def kit(request: pytest.FixtureRequest) -> Iterator[StorageKit]:
    """A fresh, empty storage of the adapter named by the test's parameter."""
    factory = KIT_FACTORIES[request.param]
    if factory.needs_database:
        request.getfixturevalue("transactional_db")
    with contextmanager(factory.open)() as opened:
        yield opened


@pytest.fixture
def make_task(kit: StorageKit) -> TaskFactory:
    """Builds (and optionally stores) tasks timed relative to the kit's clock."""
    return TaskFactory(kit)


@pytest.fixture
def make_worker(kit: StorageKit) -> WorkerFactory:
    """Builds valid workers timed relative to the kit's clock."""
    return WorkerFactory(kit)
