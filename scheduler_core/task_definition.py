"""How a task is defined: SchedulerTask (django.tasks' Task plus retry options) and @task."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, Literal, overload

from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, Task, TaskContext
from django.tasks.base import DEFAULT_TASK_PRIORITY
from django.tasks.exceptions import InvalidTask

from .domain.defaults import DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_LIMIT
from .registry import registry

# A fixed key, or a function of the call's arguments that returns one.
UniqueKey = str | Callable[..., str] | None


# Task[P, R] is subscriptable at run time thanks to django_stubs_ext.monkeypatch() in settings.
@dataclass(frozen=True, slots=True, kw_only=True)
class SchedulerTask[**P, R](Task[P, R]):
    """A django.tasks Task that also says how often to try it, for how long, and how to dedupe."""

    # Attempts in all, the first included, before the task is failed for good.
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    # Seconds one attempt may run before the worker stops it; None waits forever.
    timeout: float | None = None
    # While a task with this key waits or runs, enqueueing again returns that task instead.
    unique_key: UniqueKey = None

    def __post_init__(self) -> None:
        self._validate_options()
        # Explicit class: a slotted dataclass is rebuilt, so zero-argument super() fails here.
        super(SchedulerTask, self).__post_init__()
        # Imported here because backend.py imports this module to name its task_class.
        from .backend import SchedulerBackend

        if isinstance(self.get_backend(), SchedulerBackend):
            registry.register(self)

    def unique_key_for(self, args: list[Any], kwargs: dict[str, Any]) -> str | None:
        """The unique key of one call: the fixed key, or the key function applied to its args."""
        if self.unique_key is None or isinstance(self.unique_key, str):
            return self.unique_key
        return self.unique_key(*args, **kwargs)

    def _validate_options(self) -> None:
        attempts = self.max_attempts
        if type(attempts) is not int or not 1 <= attempts <= MAX_ATTEMPTS_LIMIT:
            raise InvalidTask(
                f"max_attempts must be a whole number from 1 to {MAX_ATTEMPTS_LIMIT}, "
                f"not {attempts!r}"
            )
        timeout = self.timeout
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise InvalidTask(f"timeout must be a positive number of seconds, not {timeout!r}")
        key = self.unique_key
        if key is not None and not (isinstance(key, str) and key) and not callable(key):
            raise InvalidTask(
                f"unique_key must be a non-empty string or a function returning one, not {key!r}"
            )


# django.tasks.task() passes these options through to SchedulerTask at run time as well, but
# django-stubs types it without them; this decorator is the same call, typed.
@overload
def task[**P, R](function: Callable[P, R], /) -> SchedulerTask[P, R]: ...
@overload
def task[**P, R](
    *,
    priority: int = ...,
    queue_name: str = ...,
    backend: str = ...,
    takes_context: Literal[False] = False,
    max_attempts: int = ...,
    timeout: float | None = ...,
    unique_key: UniqueKey = ...,
) -> Callable[[Callable[P, R]], SchedulerTask[P, R]]: ...
@overload
def task[**P, R](
    *,
    priority: int = ...,
    queue_name: str = ...,
    backend: str = ...,
    takes_context: Literal[True],
    max_attempts: int = ...,
    timeout: float | None = ...,
    unique_key: UniqueKey = ...,
) -> Callable[[Callable[Concatenate[TaskContext[Any, Any], P], R]], SchedulerTask[P, R]]: ...
def task(
    function: Callable[..., Any] | None = None,
    /,
    *,
    priority: int = DEFAULT_TASK_PRIORITY,
    queue_name: str = DEFAULT_TASK_QUEUE_NAME,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
    takes_context: bool = False,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    timeout: float | None = None,
    unique_key: UniqueKey = None,
) -> SchedulerTask[..., Any] | Callable[[Callable[..., Any]], SchedulerTask[..., Any]]:
    """Define a task, as django.tasks.task does, with max_attempts, timeout and unique_key."""

    def define(func: Callable[..., Any]) -> SchedulerTask[..., Any]:
        return SchedulerTask(
            func=func,
            priority=priority,
            queue_name=queue_name,
            backend=backend,
            takes_context=takes_context,
            max_attempts=max_attempts,
            timeout=timeout,
            unique_key=unique_key,
        )

    return define if function is None else define(function)
