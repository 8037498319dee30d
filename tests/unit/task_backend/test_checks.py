"""System checks: the default task backend and the backend's QUEUES setting."""

from __future__ import annotations

import pytest
from django.core import checks
from django.tasks import task_backends
from pytest_django import Settings

from scheduler_core.task_backend.checks import check_default_task_backend

SCHEDULER_BACKEND = "scheduler_core.task_backend.backend.SchedulerBackend"


def test_the_project_settings_pass() -> None:
    assert check_default_task_backend() == []
    assert task_backends["default"].check() == []


@pytest.mark.parametrize(
    "backend",
    [
        "django.tasks.backends.immediate.ImmediateBackend",
        "django.tasks.backends.dummy.DummyBackend",
    ],
)
def test_another_default_backend_is_warned_about(settings: Settings, backend: str) -> None:
    settings.TASKS = {"default": {"BACKEND": backend}}

    [warning] = check_default_task_backend()

    assert warning.id == "scheduler_core.W001"
    assert backend in warning.msg


def test_an_unimportable_backend_is_left_to_djangos_own_check(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "nowhere.Backend"}}

    assert check_default_task_backend() == []


def test_queues_without_the_default_queue_are_warned_about(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": SCHEDULER_BACKEND, "QUEUES": ["mail", "reports"]}}

    [warning] = task_backends["default"].check()

    assert warning.id == "scheduler_core.W002"


def test_the_checks_run_with_manage_py_check(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

    assert "scheduler_core.W001" in [m.id for m in checks.run_checks(databases=[])]


def test_runworkers_runs_the_schedulers_checks_and_no_others(settings: Settings) -> None:
    # A worker runs only the checks tagged for the scheduler: the whole set (URL
    # configurations, the admin) took a third of its start-up.
    from scheduler_core.management.commands.runworkers import Command
    from scheduler_core.task_backend.checks import SCHEDULER_CHECKS

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

    found = checks.run_checks(tags=Command.requires_system_checks)

    assert Command.requires_system_checks == [SCHEDULER_CHECKS]
    assert [message.id for message in found] == ["scheduler_core.W001"]
