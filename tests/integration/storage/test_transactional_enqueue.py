"""Submitting inside the caller's transaction: a rollback leaves no task and wakes nobody."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskNotFound, TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.storage import DjangoQueue
from scheduler_core.storage.notifications import TaskNotificationListener

LEASE = timedelta(minutes=1)


class Abort(Exception):
    """Raised to roll the caller's transaction back."""


def test_rollback_leaves_no_task_and_wakes_no_worker(
    backend: str, alias: str, services: Services, queue: DjangoQueue
) -> None:
    listener = TaskNotificationListener(alias) if backend == "postgres" else None
    if listener is not None:
        listener.wait(0.01)  # connect and LISTEN before the submit
    with pytest.raises(Abort), transaction.atomic(using=alias):
        task = services.tasks.submit(SubmitRequest(name="demo.noop")).task
        raise Abort

    with pytest.raises(TaskNotFound):
        services.tasks.status(task.id)
    assert queue.claim("w1", ["default"], 10, LEASE) == []
    if listener is not None:
        assert listener.wait(0.5) is False, "a rolled-back enqueue woke a worker"
        listener.close()


def test_commit_makes_the_task_visible_and_claimable(
    backend: str, alias: str, services: Services, queue: DjangoQueue
) -> None:
    listener = TaskNotificationListener(alias) if backend == "postgres" else None
    if listener is not None:
        listener.wait(0.01)
    with transaction.atomic(using=alias):
        task = services.tasks.submit(SubmitRequest(name="demo.noop", args=[1])).task
        if listener is not None:
            # NOTIFY is held back until the commit.
            assert listener.wait(0.2) is False

    if listener is not None:
        assert listener.wait(5) is True
        listener.close()
    assert services.tasks.status(task.id).status is TaskStatus.READY
    [claimed] = queue.claim("w1", ["default"], 10, LEASE)
    assert claimed.id == task.id
