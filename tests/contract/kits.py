"""The storage adapters the contract suite runs against, one kit per adapter.

A kit bundles the storage ports of one adapter plus the adapter's notion of "now"
(the database clock for database adapters): tests express every time relative to
``kit.now()`` and never advance a clock, because a database clock cannot be advanced.

To run the suite against a new adapter, write a generator that builds a fresh, empty
storage, yields a StorageKit and cleans up after the yield, then register it::

    def sqlite_kit() -> Iterator[StorageKit]:
        tasks = DjangoTaskRepository()
        queue = DjangoQueue(tasks)
        yield StorageKit(
            tasks=tasks,
            workers=DjangoWorkerRepository(),
            queue=queue,
            now=tasks.clock.now,
            workflows=DjangoWorkflowRepository(tasks),
            control=DjangoWorkerControl(),
            end_thread=connections.close_all,
        )
        queue.close()


    KIT_FACTORIES["sqlite"] = KitFactory(sqlite_kit, needs_database=True)

A factory with ``needs_database=True`` makes the ``kit`` fixture request pytest-django's
``transactional_db`` first (lazily, so the memory kit never touches Django). It must be the
transactional flavour: the concurrency tests claim from several threads, each on its own
connection, and those only see committed rows. ``marks`` lets a kit carry markers such as
``pytest.mark.postgres``; a factory may also call ``pytest.skip`` when its server is absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from scheduler_core.domain.ports import (
    Queue,
    SystemClock,
    TaskRepository,
    WorkerControl,
    WorkerRepository,
    WorkflowRepository,
)
from scheduler_core.memory import InMemoryStorage
from scheduler_core.memory.worker_control import InMemoryWorkerControl
from tests.databases import alias_of


def _nothing_to_release() -> None:
    """The end_thread hook of kits whose threads hold no resources."""


@dataclass(frozen=True, slots=True)
class StorageKit:
    """One adapter's storage ports, and the clock its due and lease decisions use."""

    tasks: TaskRepository
    workers: WorkerRepository
    queue: Queue
    now: Callable[[], datetime]
    # Workflow runs, kept beside the tasks that are their steps.
    workflows: WorkflowRepository
    # Operators' commands to workers, and the cancels a worker looks for.
    control: WorkerControl
    # Run by every thread a test starts, as it ends: a database kit closes that thread's
    # connections here, which would otherwise leak (and fail the test with a warning).
    end_thread: Callable[[], None] = _nothing_to_release


@dataclass(frozen=True, slots=True)
class KitFactory:
    """How to open a fresh kit, and what the test needs before it can."""

    open: Callable[[], Iterator[StorageKit]]
    needs_database: bool = False
    marks: tuple[pytest.MarkDecorator, ...] = ()


def memory_kit() -> Iterator[StorageKit]:
    """In-memory storage on the system clock, as the database adapters run on theirs."""
    storage = InMemoryStorage.create(clock=SystemClock())
    yield StorageKit(
        tasks=storage.tasks,
        workers=storage.workers,
        queue=storage.queue,
        now=storage.clock.now,
        workflows=storage.workflows,
        control=InMemoryWorkerControl(storage.tasks, storage.clock),
    )


def database_kit(backend: str) -> Callable[[], Iterator[StorageKit]]:
    """A kit factory for the ORM adapters on one of the databases in tests/databases.py."""

    def open_kit() -> Iterator[StorageKit]:
        from django.db import connections

        from scheduler_core.storage import (
            DjangoQueue,
            DjangoTaskRepository,
            DjangoWorkerControl,
            DjangoWorkerRepository,
            DjangoWorkflowRepository,
        )

        alias = alias_of(backend)
        tasks = DjangoTaskRepository(alias)
        queue = DjangoQueue(tasks)
        control = DjangoWorkerControl(alias, tasks.clock)
        try:
            yield StorageKit(
                tasks=tasks,
                workers=DjangoWorkerRepository(alias),
                queue=queue,
                now=tasks.clock.now,
                workflows=DjangoWorkflowRepository(tasks),
                control=control,
                end_thread=connections.close_all,
            )
        finally:
            control.close()
            queue.close()

    return open_kit


# The database kits' markers (django_db, postgres, skips) come from tests/conftest.py,
# which recognises the backend names at collection time.
KIT_FACTORIES: dict[str, KitFactory] = {
    "memory": KitFactory(memory_kit),
    "sqlite": KitFactory(database_kit("sqlite"), needs_database=True),
    "postgres": KitFactory(database_kit("postgres"), needs_database=True),
}
