"""Fixtures of the schedules page tests: stored schedules, form posts, the tasks they made."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import PageRequest, Schedule, Task, TaskFilter

# A valid form post; tests override single fields.
FORM: dict[str, str] = {
    "name": "nightly",
    "task": "demo.tasks.add",
    "args": "[1, 2]",
    "kwargs": "{}",
    "cron": "0 3 * * *",
    "interval_seconds": "",
    "timezone": "Europe/Berlin",
    "enabled": "on",
    "catch_up": "skip",
    "catch_up_limit": "10",
    "queue": "",
    "priority": "",
    "max_attempts": "",
}
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def stored_schedule(services: Services, **fields: Any) -> Schedule:
    """Create and return a nightly schedule of demo.tasks.add."""
    values: dict[str, Any] = {
        "name": "nightly",
        "task": "demo.tasks.add",
        "cron": "0 3 * * *",
        "args": [1, 2],
    }
    return services.schedules.create(Schedule(**{**values, **fields}))


def all_tasks(services: Services) -> list[Task]:
    """Every stored task, newest first."""
    return list(services.tasks.list(TaskFilter(), PageRequest(limit=500)).items)


@pytest.fixture
def nightly(services: Services) -> Schedule:
    """A stored nightly schedule, with arguments."""
    return stored_schedule(services, args=[1, 2], timezone="Europe/Berlin")
