"""Fixtures for the service tests: in-memory storage on a manual clock, and the services."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scheduler_core.domain import RetryPolicy, Task, Worker, WorkerNotFound
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.memory import InMemoryScheduleRepository, InMemoryStorage, ManualClock
from scheduler_core.schedules.cron import CroniterCalendar
from scheduler_core.services import (
    ScheduleService,
    TaskPromoter,
    TaskRescuer,
    TaskService,
    WorkerService,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
TASK_NAMES = ("app.send_email", "app.resize_image")
# Small, so a handful of tasks already takes the promoter several batches.
PROMOTE_BATCH = 3
# No jitter, so backoffs are exact: 10s, 20s, 40s, ...
POLICY = RetryPolicy(base=timedelta(seconds=10), factor=2, cap=timedelta(hours=1), jitter=0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def storage(clock: ManualClock) -> InMemoryStorage:
    return InMemoryStorage.create(clock=clock, task_names=TASK_NAMES)


@pytest.fixture
def scheduler(storage: InMemoryStorage) -> TaskService:
    return TaskService(
        tasks=storage.tasks, queue=storage.queue, catalog=storage.catalog, clock=storage.clock
    )


@pytest.fixture
def worker_service(storage: InMemoryStorage) -> WorkerService:
    return WorkerService(
        workers=storage.workers,
        tasks=storage.tasks,
        queue=storage.queue,
        clock=storage.clock,
        policy=POLICY,
        rng=random.Random(7),
        lease=LEASE,
    )


@pytest.fixture
def rescuer(storage: InMemoryStorage) -> TaskRescuer:
    return TaskRescuer(
        tasks=storage.tasks, clock=storage.clock, policy=POLICY, rng=random.Random(7)
    )


@pytest.fixture
def promoter(storage: InMemoryStorage) -> TaskPromoter:
    return TaskPromoter(tasks=storage.tasks, batch_size=PROMOTE_BATCH)


def request(name: str = "app.send_email", **fields: Any) -> SubmitRequest:
    """A valid submit request, with `fields` overriding the defaults."""
    return SubmitRequest(name=name, **fields)


def make_worker(worker_id: str = "w1", **fields: Any) -> Worker:
    """A valid worker record, with `fields` overriding the defaults."""
    values: dict[str, Any] = {
        "id": worker_id,
        "hostname": "host-1",
        "pid": 4242,
        "queues": ("default",),
        "concurrency": 4,
        "started_at": T0,
        "last_heartbeat": T0,
    }
    values.update(fields)
    return Worker(**values)


RunningTask = Callable[..., Task]


@pytest.fixture
def running_task(
    scheduler: TaskService, worker_service: WorkerService, storage: InMemoryStorage
) -> RunningTask:
    """Submit a task and have `worker_id` (registered on demand) claim it, and any ready task.

    The claimed tasks' code has started (unless `started=False`): losing one costs an attempt.
    """

    def make(worker_id: str = "w1", *, started: bool = True, **fields: Any) -> Task:
        submitted = scheduler.submit(request(**fields)).task
        try:
            worker = storage.workers.get(worker_id)
        except WorkerNotFound:
            worker_service.register(make_worker(worker_id, concurrency=64))
            worker = worker_service.start(worker_id)
        claimed = worker_service.claim(worker, 64)
        if started:
            worker_service.mark_started(worker_id, [(t.id, t.attempt) for t in claimed])
        [task] = [storage.tasks.get(t.id) for t in claimed if t.id == submitted.id]
        return task

    return make


@pytest.fixture
def schedules() -> InMemoryScheduleRepository:
    """Where the schedule service keeps schedules, in memory."""
    return InMemoryScheduleRepository()


@pytest.fixture
def schedule_service(
    schedules: InMemoryScheduleRepository,
    storage: InMemoryStorage,
    scheduler: TaskService,
) -> ScheduleService:
    """The schedule service on in-memory storage and the real cron calendar."""
    return ScheduleService(
        schedules=schedules,
        catalog=storage.catalog,
        clock=storage.clock,
        calendar=CroniterCalendar(),
        scheduler=scheduler,
    )
