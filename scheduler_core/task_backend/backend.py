"""The django.tasks backend: `@task` functions' `.enqueue()` submits them to the scheduler."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from django.core import checks
from django.db import transaction
from django.tasks import DEFAULT_TASK_QUEUE_NAME, Task, TaskResult
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.exceptions import InvalidTask, TaskResultDoesNotExist
from django.tasks.signals import task_enqueued

from scheduler_core.bootstrap import get_services
from scheduler_core.conf import scheduler_conf
from scheduler_core.domain import TaskInvalid, TaskNotFound, UnknownTask
from scheduler_core.domain.defaults import MAX_NAME_LENGTH, TASK_NAME_PATTERN
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.domain.queue_names import check_queue_name
from scheduler_core.task_backend.arguments import plain_arguments
from scheduler_core.task_backend.definition import SchedulerTask
from scheduler_core.task_backend.registry import registry, unknown_task
from scheduler_core.task_results import result_expired, task_result_from


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
        try:
            check_queue_name(task.queue_name, "queue_name")
        except TaskInvalid as error:
            raise InvalidTask(f"{error.field}: {error.message}") from None

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
        """Submit one call of `task`; InvalidTask names the field at fault and stores nothing.

        Arguments go through django.tasks' JSON normalisation first, as Django documents:
        tuples become lists, and a value JSON cannot hold raises TypeError ("Unsupported
        type"), as it does on every django.tasks backend.
        """
        self.validate_task(task)
        plain_args, plain_kwargs = plain_arguments(args, kwargs)
        _check_findable(task)
        try:
            request = _submit_request(task, plain_args, plain_kwargs)
            stored = get_services().tasks.submit(request).task
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
            using=scheduler_conf().database,
        )
        return result

    def get_result(self, result_id: str) -> TaskResult[..., Any]:
        """The current state of the task with id `result_id`; TaskResultDoesNotExist if none.

        ResultExpired (a TaskResultDoesNotExist) when the task's result_ttl ran out.
        """
        try:
            task_id = UUID(result_id)
        except (TypeError, ValueError, AttributeError) as error:
            raise TaskResultDoesNotExist(f"{result_id!r} is not a task id") from error
        services = get_services()
        try:
            stored = services.tasks.status(task_id)
        except TaskNotFound as error:
            raise TaskResultDoesNotExist(f"no task has the id {result_id}") from error
        if stored.result_expired:
            raise result_expired(stored)
        try:
            django_task = registry.get(stored.name)
        except UnknownTask as error:
            raise TaskResultDoesNotExist(
                f"task {result_id} runs {stored.name!r}, which is no longer a registered task"
            ) from error
        return task_result_from(stored, django_task, self.alias)


def _check_findable(task: Task[..., Any]) -> None:
    """Refuse a task registered here that no worker would import (so could never run)."""
    # Discovery first, so that the modules workers import are imported here too.
    registry.autodiscover()
    if not registry.is_registered(task.module_path) or registry.workers_can_find(task):
        return
    module = task.func.__module__
    raise InvalidTask(
        f"name: {task.module_path!r} is defined in module {module!r}, which workers do not "
        "import, so no worker could run it; define it with @task in an installed app's "
        f"tasks.py, or add {module!r} to SCHEDULER['TASK_MODULES']"
    )


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
    return replace(
        request,
        max_attempts=task.max_attempts,
        timeout=task.timeout,
        # TaskInvalid when the key function refuses the arguments; enqueue() names the field.
        unique_key=task.unique_key_for(args, kwargs),
        tags=list(task.tags),
        result_ttl=task.result_ttl,
    )
