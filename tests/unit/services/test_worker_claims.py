"""WorkerService.claim: bounded by the limit, the concurrency and the worker's queues."""

from __future__ import annotations

import random

import pytest

from scheduler_core.domain import Page, PageRequest, Task, TaskFilter, TaskStatus, Worker
from scheduler_core.memory import (
    InMemoryQueue,
    InMemoryTaskRepository,
    InMemoryWorkerRepository,
    ManualClock,
)
from scheduler_core.services import TaskService, WorkerService

from .conftest import LEASE, POLICY, make_worker, request


@pytest.fixture
def started(worker_service: WorkerService) -> Worker:
    """A running worker "w1" with two slots on the default queue."""
    worker_service.register(make_worker("w1", concurrency=2))
    return worker_service.start("w1")


def test_claim_never_takes_more_than_the_concurrency(
    scheduler: TaskService, worker_service: WorkerService, started: Worker
) -> None:
    scheduler.submit_many([request() for _ in range(5)])

    claimed = worker_service.claim(started, 10)

    assert len(claimed) == 2
    assert {(t.status, t.worker_id, t.attempt) for t in claimed} == {(TaskStatus.RUNNING, "w1", 1)}


@pytest.mark.parametrize(("limit", "expected"), [(1, 1), (0, 0), (-3, 0)])
def test_claim_takes_no_more_than_asked(
    scheduler: TaskService,
    worker_service: WorkerService,
    started: Worker,
    limit: int,
    expected: int,
) -> None:
    scheduler.submit_many([request() for _ in range(5)])

    assert len(worker_service.claim(started, limit)) == expected


def test_claim_serves_only_the_workers_queues(
    scheduler: TaskService, worker_service: WorkerService
) -> None:
    scheduler.submit(request(queue="default"))
    image = scheduler.submit(request("app.resize_image", queue="images")).task
    worker_service.register(make_worker(queues=("images", "video")))
    worker = worker_service.start("w1")

    assert [task.id for task in worker_service.claim(worker, 10)] == [image.id]


class UnlistableTaskRepository(InMemoryTaskRepository):
    """Fails the test if anything pages through the tasks."""

    def list(self, task_filter: TaskFilter, page: PageRequest) -> Page[Task]:
        raise AssertionError("a claim must not list tasks")


class UnreadableWorkerRepository(InMemoryWorkerRepository):
    """Fails the test if anything reads a worker back."""

    def get(self, worker_id: str) -> Worker:
        raise AssertionError("a claim must not read the worker")


def test_claim_trusts_the_executor_and_reads_nothing_first(clock: ManualClock) -> None:
    # The executor knows its free slots; the service counts nothing it already holds.
    tasks = UnlistableTaskRepository(clock)
    queue = InMemoryQueue(tasks, clock)
    service = WorkerService(
        workers=UnreadableWorkerRepository(clock),
        tasks=tasks,
        queue=queue,
        clock=clock,
        policy=POLICY,
        rng=random.Random(),
        lease=LEASE,
    )
    tasks.add_many([Task.create("app.send_email", now=clock.now()) for _ in range(5)])
    worker = make_worker(concurrency=2)

    assert len(service.claim(worker, 10)) == 2
    assert len(service.claim(worker, 10)) == 2
    assert tasks.count_by_status()[TaskStatus.RUNNING] == 4


def test_claim_waiting_returns_a_due_task_or_none_after_the_timeout(
    scheduler: TaskService, worker_service: WorkerService, started: Worker
) -> None:
    assert worker_service.claim_waiting(started, timeout=0) is None

    task = scheduler.submit(request()).task
    claimed = worker_service.claim_waiting(started, timeout=0)

    assert claimed is not None
    assert (claimed.id, claimed.status, claimed.worker_id) == (task.id, TaskStatus.RUNNING, "w1")
