"""Bad input is refused with django's InvalidTask naming the field, and nothing is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from asgiref.sync import async_to_sync
from django.tasks import Task
from django.tasks.exceptions import InvalidTask
from pytest_django import Settings

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskInvalid, UnknownTask
from scheduler_core.domain.json_values import MAX_PAYLOAD_BYTES

from .sample_tasks import multiply, send_welcome, undecorated


def stored_count(services: Services) -> int:
    """How many tasks the database holds, whatever their status."""
    return sum(services.tasks.counts().values())


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ([datetime(2026, 1, 1)], {}, r"args\[0\]"),
        ([{1, 2}], {}, r"args\[0\]"),
        ([1], {"b": {"when": datetime(2026, 1, 1)}}, r"kwargs\.b\.when"),
    ],
)
def test_arguments_of_types_json_cannot_hold_raise_django_s_type_error(
    services: Services, args: list[Any], kwargs: dict[str, Any], field: str
) -> None:
    # django.tasks' contract (its tests: assertRaisesMessage(TypeError, "Unsupported type")),
    # still an InvalidTask naming the argument for callers of this backend.
    with pytest.raises(TypeError, match=f"^{field}: Unsupported type") as raised:
        multiply.enqueue(*args, **kwargs)

    assert isinstance(raised.value, InvalidTask)
    assert stored_count(services) == 0


def test_aenqueue_raises_the_same_type_error(services: Services) -> None:
    with pytest.raises(TypeError, match="Unsupported type"):
        async_to_sync(multiply.aenqueue)(datetime(2026, 1, 1), 2)  # type: ignore[arg-type]

    assert stored_count(services) == 0


def test_tuples_are_accepted_and_stored_as_lists(services: Services) -> None:
    result = multiply.enqueue((1, 2), b={"pair": (3, 4)})  # type: ignore[arg-type]

    assert result.args == [[1, 2]]
    assert result.kwargs == {"b": {"pair": [3, 4]}}
    stored = services.tasks.status(UUID(result.id))
    assert stored.args == [[1, 2]]
    assert stored.kwargs == {"b": {"pair": [3, 4]}}


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ([float("nan")], {}, r"args\[0\]"),
        (["x" * MAX_PAYLOAD_BYTES], {}, "args"),
    ],
)
def test_arguments_that_are_not_plain_json_are_refused_and_nothing_is_stored(
    services: Services, args: list[Any], kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidTask, match=f"^{field}: ") as raised:
        multiply.enqueue(*args, **kwargs)

    assert isinstance(raised.value.__cause__, TaskInvalid)
    assert stored_count(services) == 0


def test_a_task_that_is_not_registered_is_refused(services: Services) -> None:
    # A plain django.tasks Task on our backend: it passes Django's checks, but no
    # SchedulerTask registered it, so no worker would know how to run it.
    unregistered: Task[[int], int] = Task(func=undecorated)

    with pytest.raises(InvalidTask, match="^name: .*is not a registered task") as raised:
        unregistered.enqueue(1)

    assert isinstance(raised.value.__cause__, UnknownTask)
    assert stored_count(services) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"priority": 101}, "priority must be a whole number between -100 and 100"),
        ({"run_after": datetime(2030, 1, 1)}, "run_after must be an aware datetime"),
        ({"queue_name": "no spaces"}, "^queue_name: 'no spaces'"),
    ],
)
def test_using_refuses_bad_options_before_anything_is_stored(
    services: Services, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidTask, match=message):
        multiply.using(**change).enqueue(1, 2)

    assert stored_count(services) == 0


def test_queues_outside_the_backend_setting_are_refused(
    services: Services, settings: Settings
) -> None:
    defined_earlier = multiply.using(queue_name="reports")
    settings.TASKS = {
        "default": {
            "BACKEND": "scheduler_core.task_backend.backend.SchedulerBackend",
            "QUEUES": ["default"],
        }
    }

    with pytest.raises(InvalidTask, match="Queue 'reports' is not valid"):
        multiply.using(queue_name="reports")
    # Checked again on enqueue: the task was defined before QUEUES said otherwise.
    with pytest.raises(InvalidTask, match="Queue 'reports' is not valid"):
        defined_earlier.enqueue(1, 2)

    assert stored_count(services) == 0
    assert multiply.enqueue(1, 2).status == "READY"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "^unique_key: the key function failed: TypeError"),
        ((10**300,), "^unique_key: must be at most 255 characters"),
    ],
)
def test_a_unique_key_function_that_fails_or_returns_a_bad_key_is_refused(
    services: Services, args: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(InvalidTask, match=message):
        send_welcome.enqueue(*args)

    assert stored_count(services) == 0


def test_a_run_after_in_the_past_is_fine(services: Services) -> None:
    earlier = services.clock.now() - timedelta(minutes=5)

    result = multiply.using(run_after=earlier).enqueue(1, 2)

    assert result.status == "READY"
    assert stored_count(services) == 1
