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

from .cron import CroniterCalendar
from .domain import RetryPolicy
from .domain.defaults import DEFAULT_LEASE
from .domain.ports import (
    Clock,
    CronCalendar,
    Queue,
    ScheduleRepository,
    TaskCatalog,
    TaskRepository,
    WorkerControl,
    WorkerRepository,
    WorkflowRepository,
)
from .memory import InMemoryScheduleRepository, InMemoryStorage, InMemoryTaskCatalog
from .memory.worker_control import InMemoryWorkerControl
from .registry import registry
from .services import (
    DEFAULT_RESCUE_BATCH_SIZE,
    SchedulerService,
    SchedulerTicker,
    ScheduleService,
    TaskPromoter,
    TaskPruner,
    TaskRescuer,
    WorkerService,
    WorkflowService,
)
from .services.audit import AuditLog

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
    promoter: TaskPromoter
    ticker: SchedulerTicker
    schedules: ScheduleService
    workflows: WorkflowService
    clock: Clock
    # Operator commands for workers and the cancels of what they hold (dashboard, executor).
    control: WorkerControl


def build_services(
    storage: str = "memory",
    *,
    task_names: Iterable[str] = (),
    catalog: TaskCatalog | None = None,
    clock: Clock | None = None,
    policy: RetryPolicy | None = None,
    lease: timedelta = DEFAULT_LEASE,
    rng: random.Random | None = None,
    rescue_batch_size: int = DEFAULT_RESCUE_BATCH_SIZE,
    database: str = "default",
    calendar: CronCalendar | None = None,
) -> Services:
    """Wire the services to `storage`: "django" (tables in `database`) or a fresh "memory".

    Only `catalog`'s tasks may be submitted; without one, a fixed catalog of `task_names`.
    """
    catalog = InMemoryTaskCatalog(task_names) if catalog is None else catalog
    ports = _storage_ports(storage, catalog=catalog, clock=clock, database=database)
    policy = RetryPolicy() if policy is None else policy
    rng = random.Random() if rng is None else rng
    calendar = CroniterCalendar() if calendar is None else calendar
    scheduler = SchedulerService(
        tasks=ports.tasks, queue=ports.queue, catalog=ports.catalog, clock=ports.clock
    )
    workflows = WorkflowService(
        workflows=ports.workflows,
        tasks=ports.tasks,
        queue=ports.queue,
        catalog=ports.catalog,
        clock=ports.clock,
    )
    return Services(
        scheduler=scheduler,
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
        promoter=TaskPromoter(tasks=ports.tasks),
        # The ticker decides what is due by the storage's clock, like the promoter and rescuer.
        ticker=SchedulerTicker(
            schedules=ports.schedules,
            scheduler=scheduler,
            clock=ports.clock,
            calendar=calendar,
            workflows=workflows,
        ),
        schedules=ScheduleService(
            schedules=ports.schedules,
            catalog=ports.catalog,
            clock=ports.clock,
            calendar=calendar,
            scheduler=scheduler,
            workflows=workflows,
        ),
        workflows=workflows,
        clock=ports.clock,
        control=ports.control,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StoragePorts:
    """One storage's adapters of every port, and the clock its decisions are taken by."""

    clock: Clock
    tasks: TaskRepository
    workers: WorkerRepository
    queue: Queue
    catalog: TaskCatalog
    schedules: ScheduleRepository
    workflows: WorkflowRepository
    control: WorkerControl


def _storage_ports(
    storage: str, *, catalog: TaskCatalog, clock: Clock | None, database: str
) -> StoragePorts:
    if storage == "memory":
        memory = InMemoryStorage.create(clock=clock)
        return StoragePorts(
            clock=memory.clock,
            tasks=memory.tasks,
            workers=memory.workers,
            queue=memory.queue,
            catalog=catalog,
            schedules=InMemoryScheduleRepository(),
            workflows=memory.workflows,
            control=InMemoryWorkerControl(memory.tasks, memory.clock),
        )
    if storage == "django":
        # Imported here: the ORM adapters need Django's app registry, the memory ones do not.
        from .storage import (
            DatabaseClock,
            DjangoQueue,
            DjangoScheduleRepository,
            DjangoTaskRepository,
            DjangoWorkerControl,
            DjangoWorkerRepository,
            DjangoWorkflowRepository,
        )

        database_clock = DatabaseClock(database)
        tasks = DjangoTaskRepository(database, database_clock)
        return StoragePorts(
            clock=clock or database_clock,
            tasks=tasks,
            workers=DjangoWorkerRepository(database, database_clock),
            queue=DjangoQueue(tasks),
            catalog=catalog,
            schedules=DjangoScheduleRepository(database),
            workflows=DjangoWorkflowRepository(tasks),
            control=DjangoWorkerControl(database, database_clock),
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
    """The process's services, built from settings.SCHEDULER on first use.

    Their catalog is the task registry, filled by autodiscovery of every installed app's
    `tasks` module and of SCHEDULER["TASK_MODULES"].
    """
    global _services
    # Checked twice so that the common path takes no lock and two first callers build once.
    if _services is None:
        # Before the lock, which is not re-entrant: a tasks module that enqueues while it is
        # imported calls back in here. Discovery has its own lock and runs once.
        registry.autodiscover()
        with _lock:
            if _services is None:
                _services = services_from_settings()
    return _services


def services_from_settings(*, lease: timedelta | None = None) -> Services:
    """Fresh services as settings.SCHEDULER describes them; `lease` overrides LEASE_SECONDS."""
    config = settings.SCHEDULER
    if lease is None:
        lease = timedelta(seconds=config.get("LEASE_SECONDS", DEFAULT_LEASE.total_seconds()))
    registry.autodiscover()
    return build_services(
        config["STORAGE"],
        catalog=registry,
        policy=retry_policy_from_settings(config.get("RETRY", {})),
        database=config.get("DATABASE", "default"),
        lease=lease,
    )


def reset_services() -> None:
    """Forget the built services so the next get_services() reads settings again (tests)."""
    global _services
    with _lock:
        _services = None
    from .alert_wiring import reset_alert_services

    reset_alert_services()


def get_audit_log() -> AuditLog:
    """The audit log: rows in the scheduler's database (audit needs the users' database too)."""
    from .storage.audit_log import DjangoAuditLog

    return DjangoAuditLog(settings.SCHEDULER.get("DATABASE", "default"))
