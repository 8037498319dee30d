"""The task registry: names to tasks, no imports on lookup, autodiscovery once."""

from __future__ import annotations

import inspect
import sys
import threading
import types
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.tasks import Task, TaskContext
from pytest_django import Settings

from scheduler_core.domain import UnknownTask
from scheduler_core.task_backend import registry as registry_module
from scheduler_core.task_backend.registry import TaskConflict, TaskRegistry, registry


def send_email(to: str, subject: str = "hi") -> None:
    """A function to register."""


def resize(width: int, *, height: int) -> None:
    """Another one."""


def with_context(context: TaskContext[Any, Any], page: int, *, size: int = 10) -> None:
    """A function that takes the task context first."""


def define(func: Any, **options: Any) -> Task[..., Any]:
    """A plain django.tasks Task, which registers nowhere by itself."""
    return Task(func=func, **options)


def test_registered_tasks_are_found_by_module_path() -> None:
    tasks = TaskRegistry()
    email, image = define(send_email), define(resize)

    tasks.register(image)
    tasks.register(email)

    assert tasks.get("tests.unit.test_registry.send_email") is email
    assert tasks.is_registered("tests.unit.test_registry.resize")
    assert tasks.names() == [
        "tests.unit.test_registry.resize",
        "tests.unit.test_registry.send_email",
    ]


def test_registering_the_same_function_again_keeps_the_first_task() -> None:
    tasks = TaskRegistry()
    email = define(send_email)

    tasks.register(email)
    tasks.register(email.using(priority=10))
    tasks.register(define(send_email, queue_name="mail"))

    assert tasks.get(email.module_path) is email
    assert tasks.names() == [email.module_path]


def test_another_function_under_a_registered_name_is_a_conflict() -> None:
    tasks = TaskRegistry()
    tasks.register(define(send_email))
    # Same module and qualified name, different function: what a module re-import makes.
    impostor = types.FunctionType(send_email.__code__, send_email.__globals__, "send_email")

    with pytest.raises(TaskConflict, match="already registered for another function") as raised:
        tasks.register(define(impostor))

    assert isinstance(raised.value, ImproperlyConfigured)
    assert tasks.get("tests.unit.test_registry.send_email").func is send_email


@pytest.mark.parametrize(
    "name",
    ["os.system", "subprocess.run", "tests.unit.registry_canary.run", "", "not a name"],
)
def test_an_unregistered_name_is_unknown_and_nothing_is_imported(name: str) -> None:
    tasks = TaskRegistry()

    with pytest.raises(UnknownTask, match="is not a registered task; define it with @task"):
        tasks.get(name)
    with pytest.raises(UnknownTask):
        tasks.parameters(name)
    assert not tasks.is_registered(name)
    assert not registry.is_registered(name)
    # Importing the canary raises, so it would not be in sys.modules anyway; this says why.
    assert "tests.unit.registry_canary" not in sys.modules


def test_parameters_leave_out_the_context_the_worker_passes() -> None:
    tasks = TaskRegistry()
    tasks.register(define(with_context, takes_context=True))
    tasks.register(define(resize))

    paged = tasks.parameters("tests.unit.test_registry.with_context")
    sized = tasks.parameters("tests.unit.test_registry.resize")

    assert list(paged.parameters) == ["page", "size"]
    assert sized == inspect.signature(resize)
    paged.bind(2, size=5)
    with pytest.raises(TypeError):
        sized.bind(1)


def test_autodiscover_imports_once_even_when_many_threads_ask(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    settings.SCHEDULER = {**settings.SCHEDULER, "TASK_MODULES": ["jobs.nightly", "jobs.hourly"]}
    imported: list[str] = []
    monkeypatch.setattr(registry_module, "autodiscover_modules", imported.append)
    monkeypatch.setattr(registry_module, "import_module", imported.append)
    tasks = TaskRegistry()
    barrier = threading.Barrier(8)

    def discover() -> None:
        barrier.wait(timeout=10)
        tasks.autodiscover()

    threads = [threading.Thread(target=discover) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    tasks.autodiscover()

    assert imported == ["tasks", "jobs.nightly", "jobs.hourly"]


def test_a_module_that_fails_to_import_is_tried_again_next_time(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    settings.SCHEDULER = {**settings.SCHEDULER, "TASK_MODULES": ["jobs.missing"]}
    monkeypatch.setattr(registry_module, "autodiscover_modules", lambda name: None)
    tasks = TaskRegistry()

    for _ in range(2):
        with pytest.raises(ModuleNotFoundError, match="jobs"):
            tasks.autodiscover()


def test_autodiscover_finds_app_tasks_modules_and_the_task_modules_setting(
    settings: Settings,
) -> None:
    settings.SCHEDULER = {**settings.SCHEDULER, "TASK_MODULES": ["tests.unit.registry_jobs"]}
    assert "tests.unit.registry_jobs" not in sys.modules

    TaskRegistry().autodiscover()

    # Defining a task registers it in the process's registry, whoever imported its module.
    assert registry.is_registered("tests.unit.registry_jobs.nightly_cleanup")
    assert registry.is_registered("demo.tasks.add")
    assert "demo.tasks.report" in registry.names()
