"""Worker processes set Django up without the admin's autodiscovery and the web-only apps,
and a worker on SQLite without psycopg.

Those imports were most of a worker's start-up (executor/worker_apps.py). Seen from a task:
in a process slot (set up by the forkserver) and in a thread slot (the supervisor itself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus

from .conftest import WorkerProcess, wait_until

pytestmark = pytest.mark.slow


def apps_seen_by_a_task(
    start_worker: Callable[..., WorkerProcess],
    submit: Callable[..., Task],
    services: Services,
    *args: str,
    **extra_env: str,
) -> dict[str, Any]:
    worker = start_worker(*args, extra_env=extra_env)
    task = submit("process_apps")
    wait_until(lambda: services.tasks.status(task.id).is_terminal(), 60, "the task")
    done = services.tasks.status(task.id)
    assert done.status == TaskStatus.SUCCEEDED, worker.output()
    assert isinstance(done.result, dict)
    return done.result


@pytest.mark.parametrize("pool", ["process", "thread"])
def test_a_worker_sets_django_up_without_the_admins_autodiscovery(
    start_worker: Callable[..., WorkerProcess],
    submit: Callable[..., Task],
    services: Services,
    backend: str,
    pool: str,
) -> None:
    seen = apps_seen_by_a_task(start_worker, submit, services, "--pool", pool)

    # The admin stays installed (its models, its log of changes), its modules unimported.
    assert "django.contrib.admin" in seen["apps"]
    assert seen["admin_models"] == 0
    assert "ninja" not in seen["apps"]
    assert "scheduler_core" in seen["apps"]
    if backend == "sqlite":
        # The PostgreSQL driver is loaded where it is used, never by a worker on SQLite.
        assert seen["psycopg"] is False


def test_the_setting_gives_a_worker_every_app_back(
    start_worker: Callable[..., WorkerProcess],
    submit: Callable[..., Task],
    services: Services,
) -> None:
    seen = apps_seen_by_a_task(start_worker, submit, services, SCHEDULER_WORKER_LEAN_START="0")

    assert seen["admin_models"] > 0
    assert "ninja" in seen["apps"]
