"""SchedulerBackend before any enqueue: built and used for definitions without a database."""

from __future__ import annotations

from typing import NoReturn

import pytest
from django.tasks import task_backends
from django.tasks.exceptions import InvalidTask
from pytest_django import Settings

from scheduler_core.task_backend import backend as backend_module
from scheduler_core.task_backend.backend import SchedulerBackend
from scheduler_core.task_backend.definition import SchedulerTask, task


def compute(x: int) -> int:
    """A module-level function to define tasks from."""
    return x


@pytest.fixture
def no_services(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to build or reach the services fail the test."""

    def refuse() -> NoReturn:
        raise AssertionError("the backend reached for the services")

    monkeypatch.setattr(backend_module, "get_services", refuse)


@pytest.mark.usefixtures("no_services")
def test_building_the_backend_and_defining_tasks_needs_no_database(settings: Settings) -> None:
    # Not a django_db test: pytest-django fails any query made here.
    settings.TASKS = {
        "default": {
            "BACKEND": "scheduler_core.task_backend.backend.SchedulerBackend",
            "QUEUES": [],
        },
        "bulk": {
            "BACKEND": "scheduler_core.task_backend.backend.SchedulerBackend",
            "QUEUES": ["bulk"],
        },
    }

    bulk = task_backends["bulk"]
    defined = task(backend="bulk", queue_name="bulk", max_attempts=9)(compute)

    assert isinstance(bulk, SchedulerBackend)
    assert (bulk.alias, bulk.queues) == ("bulk", {"bulk"})
    assert isinstance(defined, SchedulerTask)
    assert defined.get_backend() is bulk


@pytest.mark.usefixtures("no_services")
def test_the_task_class_lets_djangos_decorator_take_our_options() -> None:
    assert SchedulerBackend.task_class is SchedulerTask
    backend = SchedulerBackend("default", {})

    # An unknown option is still an error, as it is for Django's own task class.
    with pytest.raises(TypeError, match="retries"):
        backend.task_class(func=compute, retries=3)  # type: ignore[call-arg]


@pytest.mark.parametrize("queue_name", ["has space", "q" * 101, "-leading-dash"])
@pytest.mark.usefixtures("no_services")
def test_validation_adds_the_schedulers_rule_for_queue_names(queue_name: str) -> None:
    with pytest.raises(InvalidTask, match="^queue_name: .* must be up to 100 letters"):
        task(queue_name=queue_name)(compute)


@pytest.mark.usefixtures("no_services")
def test_a_task_name_the_scheduler_cannot_store_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compute, "__qualname__", "c" * 200)

    with pytest.raises(InvalidTask, match="^name: .* must be a dotted Python name of at most 200"):
        task(compute)
