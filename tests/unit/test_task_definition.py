"""SchedulerTask and @task: django.tasks' Task with max_attempts, timeout and unique_key."""

from __future__ import annotations

import math
from typing import Any, cast

import django.tasks
import pytest
from django.tasks import TaskContext
from django.tasks.exceptions import InvalidTask
from pytest_django import Settings

from scheduler_core.task_backend.definition import SchedulerTask, task
from scheduler_core.task_backend.registry import registry


@task
def ping() -> str:
    """The simplest task."""
    return "pong"


@task(max_attempts=7, timeout=2.5, unique_key=lambda user_id, **_: f"welcome:{user_id}")
def welcome(user_id: int, *, lang: str = "en") -> None:
    """A task with every option."""


def plain(x: int) -> int:
    """Module level and not a task, for definitions made inside tests."""
    return x


def needs_context(context: TaskContext[Any, Any], x: int) -> int:
    """Takes the context, as takes_context=True requires."""
    return x


def test_task_defines_a_registered_scheduler_task_with_the_default_options() -> None:
    assert isinstance(ping, SchedulerTask)
    assert (ping.max_attempts, ping.timeout, ping.unique_key) == (3, None, None)
    assert (ping.priority, ping.queue_name, ping.backend) == (0, "default", "default")
    assert registry.get("tests.unit.test_task_definition.ping") is ping
    assert ping.call() == "pong"


def test_using_keeps_the_options_and_the_registered_task() -> None:
    urgent = welcome.using(priority=90, queue_name="mail")

    assert isinstance(urgent, SchedulerTask)
    assert (urgent.max_attempts, urgent.timeout, urgent.unique_key) == (7, 2.5, welcome.unique_key)
    assert (urgent.priority, urgent.queue_name) == (90, "mail")
    assert registry.get(welcome.module_path) is welcome


def test_django_task_decorator_passes_the_options_through() -> None:
    # django-stubs types django.tasks.task without our options; at run time it forwards them
    # to the backend's task_class, which is SchedulerTask.
    django_task: Any = django.tasks.task
    defined = django_task(max_attempts=4, timeout=9)(plain)

    assert isinstance(defined, SchedulerTask)
    assert (defined.max_attempts, defined.timeout) == (4, 9)
    assert registry.get("tests.unit.test_task_definition.plain").func is plain


def test_unique_key_for_applies_a_key_function_to_the_call() -> None:
    fixed = task(unique_key="only-one")(plain)

    assert welcome.unique_key_for([42], {"lang": "fr"}) == "welcome:42"
    assert welcome.unique_key_for([], {"user_id": 7}) == "welcome:7"
    assert fixed.unique_key_for([1], {}) == "only-one"
    assert ping.unique_key_for([], {}) is None


@pytest.mark.parametrize("max_attempts", [0, -1, 1001, True, 2.0, "3"])
def test_max_attempts_outside_1_to_1000_is_refused(max_attempts: Any) -> None:
    with pytest.raises(InvalidTask, match="^max_attempts must be a whole number from 1 to 1000"):
        task(max_attempts=max_attempts)(plain)


@pytest.mark.parametrize("timeout", [0, -1, math.nan, math.inf, True, "5"])
def test_a_timeout_that_is_not_a_positive_number_of_seconds_is_refused(timeout: Any) -> None:
    with pytest.raises(InvalidTask, match="^timeout must be a positive number of seconds"):
        task(timeout=timeout)(plain)


@pytest.mark.parametrize("unique_key", ["", 5, ["a"]])
def test_a_unique_key_that_is_neither_text_nor_a_function_is_refused(unique_key: Any) -> None:
    with pytest.raises(InvalidTask, match="^unique_key must be a non-empty string or a function"):
        task(unique_key=unique_key)(plain)


def test_djangos_own_checks_still_apply() -> None:
    def nested() -> None:
        """Not at module level, so no worker could import it."""

    with pytest.raises(InvalidTask, match="module level"):
        task(nested)
    with pytest.raises(InvalidTask, match="first argument of 'context'"):
        task(takes_context=True)(cast(Any, plain))
    with pytest.raises(InvalidTask, match="priority"):
        task(priority=500)(plain)


def test_a_task_on_another_backend_is_not_registered(settings: Settings) -> None:
    settings.TASKS = {
        **settings.TASKS,
        "immediate": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    }
    tasks_before = registry.names()

    immediate = task(backend="immediate", max_attempts=2)(needs_context)

    assert registry.names() == tasks_before
    assert not registry.is_registered(immediate.module_path)
    assert isinstance(immediate, SchedulerTask)


def test_the_toolkit_options_are_kept_and_give_the_task_its_retry_rules() -> None:
    defined = task(
        soft_timeout=25,
        timeout=30,
        retry_on=[OSError],
        no_retry_on=(ValueError,),
        backoff={"base": 2, "factor": 2, "max": 3600, "jitter": 0.1},
    )(plain)

    assert defined.soft_timeout == 25
    assert (defined.retry_on, defined.no_retry_on) == ((OSError,), (ValueError,))
    assert defined.retry_rules.decide(1, ValueError()) == (False, None)
    assert cast(SchedulerTask[..., Any], defined.using(priority=5)).retry_rules == (
        defined.retry_rules
    )
    assert ping.retry_rules.empty


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"soft_timeout": 0}, "^soft_timeout must be a positive number"),
        ({"soft_timeout": math.inf}, "^soft_timeout must be a positive number"),
        ({"soft_timeout": 30, "timeout": 30}, r"^soft_timeout \(30\) must be shorter than timeout"),
        ({"retry_on": ["OSError"]}, "^retry_on must be a tuple of exception classes"),
        ({"backoff": {"base": 2, "cap": 3}}, "^backoff has unknown keys"),
    ],
)
def test_unusable_toolkit_options_are_refused(options: dict[str, Any], message: str) -> None:
    define: Any = task
    with pytest.raises(InvalidTask, match=message):
        define(**options)(plain)
