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
from .domain.ports import Clock
from .memory import InMemoryStorage
from .services import DEFAULT_RESCUE_BATCH_SIZE, SchedulerService, TaskRescuer, WorkerService

STORAGES = ("memory",)
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
) -> Services:
    """Wire the services to a fresh `storage` ("memory"); tests pass a ManualClock."""
    if storage != "memory":
        raise StorageNotConfigured(
            f'settings.SCHEDULER["STORAGE"] is {storage!r}; expected one of {", ".join(STORAGES)}'
        )
    backend = InMemoryStorage.create(clock=clock, task_names=task_names)
    policy = RetryPolicy() if policy is None else policy
    rng = random.Random() if rng is None else rng
    return Services(
        scheduler=SchedulerService(
            tasks=backend.tasks, queue=backend.queue, catalog=backend.catalog, clock=backend.clock
        ),
        workers=WorkerService(
            workers=backend.workers,
            tasks=backend.tasks,
            queue=backend.queue,
            clock=backend.clock,
            policy=policy,
            rng=rng,
            lease=lease,
        ),
        # The rescuer stamps transitions with the clock the storage judges leases by.
        rescuer=TaskRescuer(
            tasks=backend.tasks,
            clock=backend.clock,
            policy=policy,
            rng=rng,
            batch_size=rescue_batch_size,
        ),
        clock=backend.clock,
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
                )
    return _services


def reset_services() -> None:
    """Forget the built services so the next get_services() reads settings again (tests)."""
    global _services
    with _lock:
        _services = None
