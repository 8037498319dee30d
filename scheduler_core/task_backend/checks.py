"""System checks (`manage.py check`) for the django.tasks settings the scheduler relies on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS
from django.utils.module_loading import import_string

from scheduler_core.task_backend.backend import SchedulerBackend

BACKEND_PATH = "scheduler_core.task_backend.backend.SchedulerBackend"
# The tag of the scheduler's checks: `runworkers` runs these and no others.
SCHEDULER_CHECKS = "scheduler"


def check_default_task_backend(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Warn when `@task` functions would be enqueued somewhere the workers never look."""
    path = settings.TASKS.get(DEFAULT_TASK_BACKEND_ALIAS, {}).get("BACKEND", "")
    try:
        backend_class = import_string(path)
    except ImportError:
        # django.tasks' own check reports a backend that cannot be imported.
        return []
    if isinstance(backend_class, type) and issubclass(backend_class, SchedulerBackend):
        return []
    return [
        checks.Warning(
            f"TASKS['default'] uses {path!r}, so `.enqueue()` of a @task does not reach the "
            "scheduler's workers.",
            hint=f"Set TASKS = {{'default': {{'BACKEND': '{BACKEND_PATH}', 'QUEUES': []}}}}.",
            id="scheduler_core.W001",
        )
    ]
