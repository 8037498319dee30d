"""The composition root: the one place that picks adapters and wires them into services."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from scheduler_core.schedules.cron import CroniterCalendar
from scheduler_core.task_backend.registry import registry

from .conf import StorageNotConfigured, scheduler_conf
from .domain import RetryPolicy
from .domain.defaults import DEFAULT_LEASE
from .domain.ports import (
    Clock,
    CronCalendar,
    MetricsRollup,
    PlannerStatistics,
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
from .services import (
    DEFAULT_RESCUE_BATCH_SIZE,
    ScheduleService,
    ScheduleTicker,
    TaskPromoter,
    TaskPruner,
    TaskRescuer,
    TaskService,
    WorkerService,
    WorkflowService,
)
from .services.audit import AuditLog

if TYPE_CHECKING:
    from .queries import Queries


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    """Everything the web layer, the task backend and the workers call, wired to one storage."""

    tasks: TaskService
    workers: WorkerService
    rescuer: TaskRescuer
    pruner: TaskPruner
    promoter: TaskPromoter
    ticker: ScheduleTicker
    schedules: ScheduleService
    workflows: WorkflowService
    clock: Clock
    # Operator commands for workers and the cancels of what they hold (dashboard, executor).
    control: WorkerControl
    # The metrics rollup of the maintenance pass; the in-memory storage keeps none.
    metrics: MetricsRollup | None = None
    # The planner's statistics, gathered by the maintenance pass where the database needs it.
    statistics: PlannerStatistics | None = None


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
    tasks = TaskService(
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
        tasks=tasks,
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
        ticker=ScheduleTicker(
            schedules=ports.schedules,
            scheduler=tasks,
            clock=ports.clock,
            calendar=calendar,
            workflows=workflows,
        ),
        schedules=ScheduleService(
            schedules=ports.schedules,
            catalog=ports.catalog,
            clock=ports.clock,
            calendar=calendar,
            scheduler=tasks,
            workflows=workflows,
        ),
        workflows=workflows,
        clock=ports.clock,
        control=ports.control,
        metrics=ports.metrics,
        statistics=ports.statistics,
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
    metrics: MetricsRollup | None = None
    statistics: PlannerStatistics | None = None


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
            DjangoMetricsRollup,
            DjangoQueue,
            DjangoScheduleRepository,
            DjangoTaskRepository,
            DjangoWorkerControl,
            DjangoWorkerRepository,
            DjangoWorkflowRepository,
            SQLitePlannerStatistics,
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
            metrics=DjangoMetricsRollup(database),
            statistics=SQLitePlannerStatistics(database),
        )
    raise StorageNotConfigured(storage)


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
    conf = scheduler_conf()
    registry.autodiscover()
    return build_services(
        conf.storage,
        catalog=registry,
        policy=conf.retry,
        database=conf.database,
        lease=conf.lease if lease is None else lease,
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

    return DjangoAuditLog(scheduler_conf().database)


def get_queries() -> Queries:
    """The read side over the scheduler's database, with that database's clock.

    Built beside the services, not in them: the pages and the API read the tables whatever
    storage the services run on, as the audit log does (in-memory storage keeps none).
    """
    # Imported here: the queries need Django's app registry, as the ORM adapters do.
    from .queries import Queries
    from .storage import DatabaseClock

    database = scheduler_conf().database
    return Queries(database=database, clock=DatabaseClock(database))
