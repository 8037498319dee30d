"""The process-wide registry of runnable tasks: the only names that may be submitted or run."""

from __future__ import annotations

import inspect
import threading
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.tasks import Task
from django.utils.module_loading import autodiscover_modules

from .domain import UnknownTask
from .domain.ports import TaskCatalog


class TaskConflict(ImproperlyConfigured):
    """Two different functions were registered under one task name."""


def unknown_task(name: str) -> UnknownTask:
    """The error for a name no task is registered under, saying how to register one."""
    return UnknownTask(
        f"{name!r} is not a registered task; define it with @task in an app's tasks.py "
        "or list its module in SCHEDULER['TASK_MODULES']"
    )


class TaskRegistry(TaskCatalog):
    """Tasks by name (their `module_path`, e.g. "demo.tasks.add"); safe to share between threads.

    Security: nothing here imports a module named by its caller. Only `autodiscover` imports,
    and only the `tasks` modules of installed apps and settings.SCHEDULER["TASK_MODULES"], so
    a name from a form or the API can never reach `import_module`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[str, Task[..., Any]] = {}
        # Re-entrant: an imported tasks module may itself ask for discovery.
        self._discovery_lock = threading.RLock()
        self._discovered = False

    def register(self, task: Task[..., Any]) -> None:
        """Add `task` under its module_path; again for the same function does nothing."""
        name = task.module_path
        with self._lock:
            known = self._tasks.setdefault(name, task)
        # The first definition stays: `.using()` copies share its function and need no entry.
        if known.func is not task.func:
            raise TaskConflict(
                f"task {name!r} is already registered for another function "
                f"({known.func!r}); two tasks cannot share a module path"
            )

    def get(self, name: str) -> Task[..., Any]:
        """The task registered under `name`; UnknownTask if there is none."""
        with self._lock:
            task = self._tasks.get(name)
        if task is None:
            raise unknown_task(name)
        return task

    def is_registered(self, name: str) -> bool:
        """True when `name` is a registered task."""
        with self._lock:
            return name in self._tasks

    def names(self) -> list[str]:
        """Every registered task name, sorted."""
        with self._lock:
            return sorted(self._tasks)

    def parameters(self, name: str) -> inspect.Signature:
        """What callers pass to task `name` (the context argument left out); `bind` checks it."""
        task = self.get(name)
        signature = inspect.signature(task.func)
        if not task.takes_context:
            return signature
        # Django's validation guarantees the first parameter is `context`; the worker fills it.
        return signature.replace(parameters=list(signature.parameters.values())[1:])

    def autodiscover(self) -> None:
        """Import every installed app's `tasks` module and SCHEDULER["TASK_MODULES"], once."""
        with self._discovery_lock:
            if self._discovered:
                return
            autodiscover_modules("tasks")
            for module in settings.SCHEDULER.get("TASK_MODULES", []):
                import_module(module)
            # Set only after every import worked, so a broken module fails again next time
            # instead of leaving the registry silently short of tasks.
            self._discovered = True


# The registry of this process. SchedulerTask registers itself here when it is defined.
registry = TaskRegistry()
