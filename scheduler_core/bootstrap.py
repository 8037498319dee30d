"""The composition root: the one place that picks adapters and wires them into services."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .domain import RetryPolicy
from .domain.defaults import DEFAULT_LEASE
from .domain.ports import Clock, Queue, TaskCatalog, TaskRepository, WorkerRepository
from .memory import InMemoryStorage, InMemoryTaskCatalog
from .services import (
    DEFAULT_RESCUE_BATCH_SIZE,
    SchedulerService,
    TaskPruner,
    TaskRescuer,
    WorkerService,
)

STORAGES = ("django", "memory")
# settings.SCHEDULER["RETRY"] keys, and the RetryPolicy field each one sets.
_RETRY_SETTINGS = {
    "base_seconds": "base",
    "factor": "factor",
    "cap_seconds": "cap",
    "jitter": "jitter",
}


class StorageNotConfigured(ImproperlyConfigured, ValueError):
    """settings.SCHEDULER["STORAGE"] names no storage this build knows."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    """Everything the web layer, the task backend and the workers call, wired to one storage."""

    scheduler: SchedulerService
    workers: WorkerService
    rescuer: TaskRescuer
    pruner: TaskPruner
    clock: Clock


def build_services(
    storage: str = "memory",
    *,
    task_names: Iterable[str] = (),
    clock: Clock | None = None,
    policy: RetryPolicy | None = None,
    lease: timedelta = DEFAULT_LEASE,
    rng: random.Random | None = None,
    rescue_batch_size: int = DEFAULT_RESCUE_BATCH_SIZE,
    database: str = "default",
) -> Services:
    """Wire the services to `storage`: "django" (tables in `database`) or a fresh "memory"."""
    ports = _storage_ports(storage, task_names=task_names, clock=clock, database=database)
    policy = RetryPolicy() if policy is None else policy
    rng = random.Random() if rng is None else rng
    return Services(
        scheduler=SchedulerService(
            tasks=ports.tasks, queue=ports.queue, catalog=ports.catalog, clock=ports.clock
        ),
        workers=WorkerService(
            workers=ports.workers,
            tasks=ports.tasks,
            queue=ports.queue,
            clock=ports.clock,
            policy=policy,
            rng=rng,
            lease=lease,
        ),
        # The rescuer stamps transitions with the clock the storage judges leases by.
        rescuer=TaskRescuer(
            tasks=ports.tasks,
            clock=ports.clock,
            policy=policy,
            rng=rng,
            batch_size=rescue_batch_size,
        ),
        pruner=TaskPruner(tasks=ports.tasks, clock=ports.clock),
        clock=ports.clock,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StoragePorts:
    """One storage's adapters of every port, and the clock its decisions are taken by."""

    clock: Clock
    tasks: TaskRepository
    workers: WorkerRepository
    queue: Queue
    catalog: TaskCatalog


def _storage_ports(
    storage: str, *, task_names: Iterable[str], clock: Clock | None, database: str
) -> StoragePorts:
    if storage == "memory":
        memory = InMemoryStorage.create(clock=clock, task_names=task_names)
        return StoragePorts(
            clock=memory.clock,
            tasks=memory.tasks,
            workers=memory.workers,
            queue=memory.queue,
            catalog=memory.catalog,
        )
    if storage == "django":
        # Imported here: the ORM adapters need Django's app registry, the memory ones do not.
        from .storage import (
            DatabaseClock,
            DjangoQueue,
            DjangoTaskRepository,
            DjangoWorkerRepository,
        )

        database_clock = DatabaseClock(database)
        tasks = DjangoTaskRepository(database, database_clock)
        return StoragePorts(
            clock=clock or database_clock,
            tasks=tasks,
            workers=DjangoWorkerRepository(database, database_clock),
            queue=DjangoQueue(tasks),
            catalog=InMemoryTaskCatalog(task_names),
        )
    raise StorageNotConfigured(
        f'settings.SCHEDULER["STORAGE"] is {storage!r}; expected one of {", ".join(STORAGES)}'
    )


def retry_policy_from_settings(config: Mapping[str, Any]) -> RetryPolicy:
    """A RetryPolicy from settings.SCHEDULER["RETRY"]; defaults for keys left out."""
    unknown = sorted(set(config) - set(_RETRY_SETTINGS))
    if unknown:
        raise ImproperlyConfigured(
            f'settings.SCHEDULER["RETRY"] has unknown keys {unknown}; '
            f"expected some of {sorted(_RETRY_SETTINGS)}"
        )
    fields: dict[str, Any] = {}
    for key, field in _RETRY_SETTINGS.items():
        if key in config:
            value = config[key]
            fields[field] = timedelta(seconds=value) if key.endswith("_seconds") else value
    try:
        return RetryPolicy(**fields)
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(f'settings.SCHEDULER["RETRY"]: {error}') from error


_services: Services | None = None
_lock = threading.Lock()


def get_services() -> Services:
    """The process's services, built from settings.SCHEDULER on first use."""
    global _services
    # Checked twice so that the common path takes no lock and two first callers build once.
    if _services is None:
        with _lock:
            if _services is None:
                config = settings.SCHEDULER
                _services = build_services(
                    config["STORAGE"],
                    task_names=config.get("TASK_NAMES", []),
                    policy=retry_policy_from_settings(config.get("RETRY", {})),
                    database=config.get("DATABASE", "default"),
                )
    return _services


def reset_services() -> None:
    """Forget the built services so the next get_services() reads settings again (tests)."""
    global _services
    with _lock:
        _services = None
