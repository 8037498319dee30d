"""`.enqueue()`, `.aenqueue()` and `.using()` store tasks through the scheduler's services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction
from django.tasks import TaskResult, TaskResultStatus, task_backends
from django.tasks.signals import task_enqueued

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskNotFound, TaskStatus
from scheduler_core.task_backend.backend import SchedulerBackend

from .sample_tasks import explode, multiply, shout, which_attempt


def test_enqueue_stores_a_ready_task_and_returns_its_result(services: Services) -> None:
    before = services.clock.now()

    result = multiply.enqueue(6, b=7)

    stored = services.tasks.status(UUID(result.id))
    assert (stored.name, stored.args, stored.kwargs) == (
        "tests.integration.backend.sample_tasks.multiply",
        [6],
        {"b": 7},
    )
    assert stored.status is TaskStatus.READY
    assert result.status is TaskResultStatus.READY
    assert result.task is multiply
    assert result.backend == "default"
    assert result.enqueued_at == stored.enqueued_at
    assert result.enqueued_at is not None and result.enqueued_at >= before
    assert (result.args, result.kwargs) == ([6], {"b": 7})
    assert (result.started_at, result.finished_at, result.last_attempted_at) == (None,) * 3
    assert (result.errors, result.worker_ids, result.attempts) == ([], [], 0)
    assert not result.is_finished
    with pytest.raises(ValueError, match="not finished"):
        _ = result.return_value


def test_the_task_options_are_stored_with_the_task(services: Services) -> None:
    result = explode.enqueue("boom")

    stored = services.tasks.status(UUID(result.id))
    assert (stored.max_attempts, stored.timeout) == (2, 5)
    assert (stored.queue, stored.priority, stored.unique_key) == ("default", 0, None)


def test_using_sets_priority_queue_and_run_after(services: Services) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)

    result = multiply.using(priority=50, queue_name="reports", run_after=later).enqueue(1, 2)

    stored = services.tasks.status(UUID(result.id))
    assert (stored.priority, stored.queue, stored.run_after) == (50, "reports", later)
    # Waiting for its time is "scheduled" to us and still READY to django.tasks.
    assert stored.status is TaskStatus.SCHEDULED
    assert result.status is TaskResultStatus.READY
    # The task as enqueued, with its overrides, in the result and whenever it is fetched.
    for task in (result.task, multiply.get_result(result.id).task):
        assert (task.priority, task.queue_name, task.run_after) == (50, "reports", later)
        assert task.func is multiply.func


def test_enqueue_sends_task_enqueued_with_the_result(services: Services) -> None:
    received: list[tuple[Any, TaskResult[Any, Any]]] = []

    def receiver(sender: Any, task_result: TaskResult[Any, Any], **kwargs: Any) -> None:
        received.append((sender, task_result))

    task_enqueued.connect(receiver)
    try:
        result = which_attempt.enqueue(label="x")
    finally:
        task_enqueued.disconnect(receiver)

    assert received == [(SchedulerBackend, result)]
    assert received[0][1] is result


def test_aenqueue_stores_an_async_task(services: Services) -> None:
    result = async_to_sync(shout.aenqueue)("hi")

    assert services.tasks.status(UUID(result.id)).args == ["hi"]
    assert result.status is TaskResultStatus.READY


def test_enqueue_inside_a_rolled_back_transaction_leaves_no_task_and_no_signal(
    alias: str, services: Services
) -> None:
    received: list[TaskResult[Any, Any]] = []

    def receiver(sender: Any, task_result: TaskResult[Any, Any], **kwargs: Any) -> None:
        received.append(task_result)

    task_enqueued.connect(receiver)
    try:
        with pytest.raises(RuntimeError), transaction.atomic(using=alias):
            result = multiply.enqueue(1, 1)
            raise RuntimeError("roll back")
        committed = multiply.enqueue(2, 2)
    finally:
        task_enqueued.disconnect(receiver)

    with pytest.raises(TaskNotFound):
        services.tasks.status(UUID(result.id))
    assert received == [committed]


def test_the_default_backend_is_the_scheduler_with_any_queue_name() -> None:
    backend = task_backends["default"]

    assert isinstance(backend, SchedulerBackend)
    # An empty QUEUES list leaves the set empty, which django.tasks reads as "any queue".
    assert backend.queues == set()
    assert backend.supports_defer and backend.supports_priority
    assert backend.supports_get_result and backend.supports_async_task
