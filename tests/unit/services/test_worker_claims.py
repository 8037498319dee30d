"""WorkerService.claim: bounded by the free slots, the limit and the worker's queues."""

from __future__ import annotations

import pytest

from scheduler_core.domain import TaskStatus, Worker, WorkerState
from scheduler_core.services import SchedulerService, WorkerService

from .conftest import make_worker, request


@pytest.fixture
def started(worker_service: WorkerService) -> Worker:
    """A running worker "w1" with two slots on the default queue."""
    worker_service.register(make_worker("w1", concurrency=2))
    return worker_service.start("w1")


def test_claim_never_takes_more_than_the_free_slots(
    scheduler: SchedulerService, worker_service: WorkerService, started: Worker
) -> None:
    scheduler.submit_many([request() for _ in range(5)])

    first = worker_service.claim("w1", 10)
    assert len(first) == 2
    assert worker_service.claim("w1", 10) == []

    worker_service.complete(first[0], None)
    [third] = worker_service.claim("w1", 10)
    assert (third.status, third.worker_id, third.attempt) == (TaskStatus.RUNNING, "w1", 1)


def test_claim_takes_no_more_than_asked(
    scheduler: SchedulerService, worker_service: WorkerService, started: Worker
) -> None:
    scheduler.submit_many([request() for _ in range(5)])

    assert len(worker_service.claim("w1", 1)) == 1
    assert worker_service.claim("w1", 0) == []


@pytest.mark.parametrize("state", [WorkerState.STARTING, WorkerState.DRAINING])
def test_a_worker_that_is_not_running_claims_nothing(
    scheduler: SchedulerService, worker_service: WorkerService, state: WorkerState
) -> None:
    scheduler.submit(request())
    worker_service.register(make_worker())
    if state is WorkerState.DRAINING:
        worker_service.drain("w1")

    assert worker_service.claim("w1", 10) == []


def test_claim_serves_only_the_workers_queues(
    scheduler: SchedulerService, worker_service: WorkerService
) -> None:
    scheduler.submit(request(queue="default"))
    image = scheduler.submit(request("app.resize_image", queue="images"))
    worker_service.register(make_worker(queues=("images", "video")))
    worker_service.start("w1")

    assert [task.id for task in worker_service.claim("w1", 10)] == [image.id]


def test_claim_counts_every_running_task_across_pages(
    scheduler: SchedulerService, worker_service: WorkerService
) -> None:
    # More held tasks than one listing page, so the count has to follow the cursor.
    worker_service.register(make_worker(concurrency=600))
    worker_service.start("w1")
    scheduler.submit_many([request() for _ in range(601)])

    assert len(worker_service.claim("w1", 1000)) == 600
    assert worker_service.claim("w1", 1000) == []
