"""Fixtures for the django.tasks backend: services on the database under test, a worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from pytest_django import Settings

from scheduler_core.bootstrap import Services, get_services, reset_services
from scheduler_core.domain import Task
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

LEASE = timedelta(minutes=1)
SAMPLE_TASKS = "tests.integration.backend.sample_tasks"


@pytest.fixture
def services(alias: str, settings: Settings) -> Iterator[Services]:
    """The process's services (what the backend calls), on the database under test."""
    # No backoff, so a failed attempt can be claimed again at once.
    settings.SCHEDULER = {
        **settings.SCHEDULER,
        "DATABASE": alias,
        "RETRY": {"base_seconds": 0, "jitter": 0},
        # Workers import sample_tasks this way; enqueue refuses tasks no worker would find.
        "TASK_MODULES": [*settings.SCHEDULER.get("TASK_MODULES", []), SAMPLE_TASKS],
    }
    reset_services()
    yield get_services()
    reset_services()


Claim = Callable[..., Task]


@pytest.fixture
def claim(alias: str, services: Services) -> Iterator[Claim]:
    """Claim the one due task of a queue as worker `worker_id`, as a worker process would."""
    queue = DjangoQueue(DjangoTaskRepository(alias))

    def take(worker_id: str = "w1", queue_name: str = "default") -> Task:
        [task] = queue.claim(worker_id, [queue_name], 1, LEASE)
        return task

    yield take
    queue.close()
