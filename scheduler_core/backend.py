"""The django.tasks backend: `@task` functions' `.enqueue()` submits them to the scheduler."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core import checks
from django.db import transaction
from django.tasks import DEFAULT_TASK_QUEUE_NAME, Task, TaskResult
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.exceptions import InvalidTask, TaskResultDoesNotExist
from django.tasks.signals import task_enqueued

from .bootstrap import get_services
from .domain import TaskInvalid, TaskNotFound, UnknownTask
from .domain.defaults import (
    MAX_NAME_LENGTH,
    MAX_QUEUE_LENGTH,
    QUEUE_NAME_PATTERN,
    TASK_NAME_PATTERN,
)
from .domain.ports import SubmitRequest
from .registry import registry, unknown_task
from .task_definition import SchedulerTask
from .task_results import task_result_from


class SchedulerBackend(BaseTaskBackend):
    """Stores enqueued tasks for the scheduler's workers, which claim and run them.

    Django builds backends while it configures itself, so nothing here touches the database
    before the first enqueue or result lookup; the services come from the composition root.
    An empty QUEUES setting allows every queue name.
    """

    task_class = SchedulerTask
    supports_defer = True
    supports_priority = True
    supports_get_result = True
    supports_async_task = True

    def validate_task(self, task: Task[..., Any]) -> None:
        """Django's checks, then the scheduler's own rules for task and queue names."""
        super().validate_task(task)
        name = task.module_path
        if len(name) > MAX_NAME_LENGTH or not TASK_NAME_PATTERN.fullmatch(name):
            raise InvalidTask(
                f"name: {name!r} must be a dotted Python name of at most "
                f"{MAX_NAME_LENGTH} characters"
            )
        queue = task.queue_name
        if len(queue) > MAX_QUEUE_LENGTH or not QUEUE_NAME_PATTERN.fullmatch(queue):
            raise InvalidTask(
                f"queue_name: {queue!r} must be up to {MAX_QUEUE_LENGTH} letters, digits, "
                "'_', '.' or '-'"
            )

    def check(self, **kwargs: Any) -> list[Any]:
        """Django's checks, and a warning when QUEUES leaves out the default queue."""
        messages = super().check(**kwargs)
        if self.queues and DEFAULT_TASK_QUEUE_NAME not in self.queues:
            messages.append(
                checks.Warning(
                    f"TASKS[{self.alias!r}]['QUEUES'] leaves out {DEFAULT_TASK_QUEUE_NAME!r}, "
                    "so every @task without a queue_name fails to define.",
                    hint="Add it, or leave QUEUES empty to allow every queue name.",
                    id="scheduler_core.W002",
                )
            )
        return messages

    def enqueue[**P, R](
        self, task: Task[P, R], args: list[Any], kwargs: dict[str, Any]
    ) -> TaskResult[P, R]:
        """Submit one call of `task`; InvalidTask names the field at fault and stores nothing."""
        self.validate_task(task)
        request = _submit_request(task, list(args), dict(kwargs))
        try:
            stored = get_services().scheduler.submit(request)
        except TaskInvalid as error:
            raise InvalidTask(f"{error.field}: {error.message}") from error
        except UnknownTask as error:
            raise InvalidTask(f"name: {unknown_task(task.module_path)}") from error
        # With a unique key this may be the task enqueued earlier, and so its arguments.
        result = task_result_from(stored, task, self.alias)
        # Only once the task exists for others: inside a transaction that rolls back, never.
        # Outside one (autocommit), on_commit runs it at once.
        transaction.on_commit(
            lambda: task_enqueued.send(type(self), task_result=result),
            using=settings.SCHEDULER.get("DATABASE", "default"),
        )
        return result

    def get_result(self, result_id: str) -> TaskResult[..., Any]:
        """The current state of the task with id `result_id`; TaskResultDoesNotExist if none."""
        try:
            task_id = UUID(result_id)
        except (TypeError, ValueError, AttributeError) as error:
            raise TaskResultDoesNotExist(f"{result_id!r} is not a task id") from error
        services = get_services()
        try:
            stored = services.scheduler.status(task_id)
        except TaskNotFound as error:
            raise TaskResultDoesNotExist(f"no task has the id {result_id}") from error
        try:
            django_task = registry.get(stored.name)
        except UnknownTask as error:
            raise TaskResultDoesNotExist(
                f"task {result_id} runs {stored.name!r}, which is no longer a registered task"
            ) from error
        return task_result_from(stored, django_task, self.alias)


def _submit_request(task: Task[..., Any], args: list[Any], kwargs: dict[str, Any]) -> SubmitRequest:
    """The scheduler's request for one call of `task`; only SchedulerTask has retry options."""
    request = SubmitRequest(
        name=task.module_path,
        args=args,
        kwargs=kwargs,
        queue=task.queue_name,
        priority=task.priority,
        run_after=task.run_after,
    )
    if not isinstance(task, SchedulerTask):
        return request
    try:
        unique_key = task.unique_key_for(args, kwargs)
    except Exception as error:
        # A key function that does not accept the call's arguments is the caller's mistake.
        raise InvalidTask(f"unique_key: the key function failed: {error!r}") from error
    return replace(
        request, max_attempts=task.max_attempts, timeout=task.timeout, unique_key=unique_key
    )
