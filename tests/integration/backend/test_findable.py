"""A @task no worker imports is refused at enqueue, saying how to register it."""

from __future__ import annotations

import pytest
from django.tasks.exceptions import InvalidTask
from pytest_django import Settings

from scheduler_core.bootstrap import Services
from scheduler_core.task_backend.definition import task


@task()
def defined_in_a_test_module(x: int) -> int:
    """Registered here on import, but no worker imports this module."""
    return x


def test_a_task_defined_outside_the_modules_workers_import_is_refused(
    services: Services,
) -> None:
    with pytest.raises(InvalidTask, match="which workers do not import") as raised:
        defined_in_a_test_module.enqueue(1)

    assert f"add {__name__!r} to SCHEDULER['TASK_MODULES']" in str(raised.value)
    assert "tasks.py" in str(raised.value)
    assert sum(services.tasks.counts().values()) == 0


def test_listed_in_task_modules_it_is_accepted(services: Services, settings: Settings) -> None:
    settings.SCHEDULER = {
        **settings.SCHEDULER,
        "TASK_MODULES": [*settings.SCHEDULER["TASK_MODULES"], __name__],
    }

    assert defined_in_a_test_module.enqueue(1).status == "READY"
