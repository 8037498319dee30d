"""How a task is defined: SchedulerTask (django.tasks' Task plus retry options) and @task."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Concatenate, Literal, overload

from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, Task, TaskContext
from django.tasks.base import DEFAULT_TASK_PRIORITY
from django.tasks.exceptions import InvalidTask

from scheduler_core.domain import TaskInvalid
from scheduler_core.domain.defaults import DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_LIMIT
from scheduler_core.domain.result_expiry import check_result_ttl
from scheduler_core.domain.tags import merge_tags
from scheduler_core.task_backend.registry import registry
from scheduler_core.task_backend.retry_rules import (
    Backoff,
    ExceptionTypes,
    RetryRules,
    RetryRulesInvalid,
)

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
    # Labels every call carries, to find its tasks by; `.using(tags=...)` adds more.
    tags: tuple[str, ...] = ()
    # Seconds a finished call's result is kept; None keeps it until the retention prunes it.
    result_ttl: int | None = None
    # Seconds after which SoftTimeLimitExceeded is raised inside the attempt (before timeout).
    soft_timeout: float | None = None
    # Retry only on these exceptions (empty: on every one), never on those; see retry_rules.py.
    retry_on: ExceptionTypes = ()
    no_retry_on: ExceptionTypes = ()
    # The task's own backoff instead of the worker's: a mapping or a function.
    backoff: Backoff = None

    def __post_init__(self) -> None:
        self._validate_options()
        # Explicit class: a slotted dataclass is rebuilt, so zero-argument super() fails here.
        super(SchedulerTask, self).__post_init__()
        # Imported here because backend.py imports this module to name its task_class.
        from scheduler_core.task_backend.backend import SchedulerBackend

        if isinstance(self.get_backend(), SchedulerBackend):
            registry.register(self)

    def using(
        self,
        *,
        priority: int | None = None,
        queue_name: str | None = None,
        run_after: datetime | None = None,
        backend: str | None = None,
        tags: Iterable[str] | None = None,
        result_ttl: int | None = None,
    ) -> SchedulerTask[P, R]:
        """Django's using(), plus tags added to the task's own and a result_ttl of this call."""
        changed: SchedulerTask[P, R] = Task.using(  # type: ignore[assignment]
            self, priority=priority, queue_name=queue_name, run_after=run_after, backend=backend
        )
        changes: dict[str, Any] = {}
        if tags is not None:
            changes["tags"] = (*self.tags, *_tag_tuple(tags))
        if result_ttl is not None:
            changes["result_ttl"] = result_ttl
        return replace(changed, **changes) if changes else changed

    @property
    def retry_rules(self) -> RetryRules:
        """The task's own retry rules (empty: the worker's policy decides)."""
        return RetryRules(self.retry_on, self.no_retry_on, self.backoff)

    def unique_key_for(self, args: list[Any], kwargs: dict[str, Any]) -> str | None:
        """The unique key of one call: the fixed key, or the key function applied to its args.

        TaskInvalid (field unique_key) when the key function refuses the call's arguments:
        the caller's input, whichever door it came through.
        """
        if self.unique_key is None or isinstance(self.unique_key, str):
            return self.unique_key
        try:
            return self.unique_key(*args, **kwargs)
        except Exception as error:
            raise TaskInvalid("unique_key", f"the key function failed: {error!r}") from error

    def _validate_options(self) -> None:
        attempts = self.max_attempts
        if type(attempts) is not int or not 1 <= attempts <= MAX_ATTEMPTS_LIMIT:
            raise InvalidTask(
                f"max_attempts must be a whole number from 1 to {MAX_ATTEMPTS_LIMIT}, "
                f"not {attempts!r}"
            )
        timeout, soft = self.timeout, self.soft_timeout
        for name, seconds in (("timeout", timeout), ("soft_timeout", soft)):
            if seconds is not None and not _positive_seconds(seconds):
                raise InvalidTask(f"{name} must be a positive number of seconds, not {seconds!r}")
        if soft is not None and timeout is not None and soft >= timeout:
            raise InvalidTask(
                f"soft_timeout ({soft!r}) must be shorter than timeout ({timeout!r}), "
                "so that the task can clean up before the hard kill"
            )
        try:
            RetryRules(self.retry_on, self.no_retry_on, self.backoff)
        except RetryRulesInvalid as error:
            raise InvalidTask(str(error)) from error
        try:
            object.__setattr__(self, "tags", tuple(merge_tags(self.tags)))
            check_result_ttl(self.result_ttl)
        except TaskInvalid as error:
            raise InvalidTask(f"{error.field}: {error.message}") from None
        key = self.unique_key
        if key is not None and not (isinstance(key, str) and key) and not callable(key):
            raise InvalidTask(
                f"unique_key must be a non-empty string or a function returning one, not {key!r}"
            )


def _positive_seconds(value: object) -> bool:
    """True for a finite number of seconds above zero (a bool is no number here)."""
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value > 0
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
    tags: Iterable[str] = ...,
    result_ttl: int | None = ...,
    soft_timeout: float | None = ...,
    retry_on: Iterable[type[BaseException]] = ...,
    no_retry_on: Iterable[type[BaseException]] = ...,
    backoff: Backoff = ...,
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
    tags: Iterable[str] = ...,
    result_ttl: int | None = ...,
    soft_timeout: float | None = ...,
    retry_on: Iterable[type[BaseException]] = ...,
    no_retry_on: Iterable[type[BaseException]] = ...,
    backoff: Backoff = ...,
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
    tags: Iterable[str] = (),
    result_ttl: int | None = None,
    soft_timeout: float | None = None,
    retry_on: Iterable[type[BaseException]] = (),
    no_retry_on: Iterable[type[BaseException]] = (),
    backoff: Backoff = None,
) -> SchedulerTask[..., Any] | Callable[[Callable[..., Any]], SchedulerTask[..., Any]]:
    """Define a task, as django.tasks.task does, with the scheduler's options (docs/tasks.md)."""

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
            tags=_tag_tuple(tags),
            result_ttl=result_ttl,
            soft_timeout=soft_timeout,
            retry_on=tuple(retry_on),
            no_retry_on=tuple(no_retry_on),
            backoff=backoff,
        )

    return define if function is None else define(function)


def _tag_tuple(tags: Iterable[str]) -> tuple[str, ...]:
    # A bare string is iterable too, and would become one tag per character.
    if isinstance(tags, str):
        raise InvalidTask(f"tags: must be a list of strings, not the string {tags!r}")
    return tuple(tags)
