"""The process-wide registry of runnable tasks: the only names that may be submitted or run."""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.tasks import Task
from django.utils.module_loading import autodiscover_modules

from scheduler_core.conf import scheduler_conf
from scheduler_core.domain import TaskInvalid, UnknownTask
from scheduler_core.domain.ports import TaskCatalog
from scheduler_core.task_backend.argument_types import check_argument_types


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
        # Names found in a module workers import, with the modules that was judged against.
        self._findable: dict[str, tuple[str, ...]] = {}

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

    def check_call(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        """Raise TaskInvalid (on "args" or "kwargs") unless the call fits task `name`."""
        signature = self.parameters(name)
        # Checked before bind(), which would first complain about a missing argument when the
        # real mistake is a misspelt keyword ({"x": 1} for `a`).
        unexpected = _unexpected_keywords(signature, kwargs)
        if unexpected:
            raise TaskInvalid(
                "kwargs",
                "the arguments do not fit the task's parameters: "
                f"got an unexpected keyword argument {unexpected!r}",
            )
        try:
            signature.bind(*args, **kwargs)
        except TypeError as error:
            field = "kwargs" if _keyword_at_fault(signature, args, kwargs) else "args"
            raise TaskInvalid(
                field, f"the arguments do not fit the task's parameters: {error}"
            ) from error
        check_argument_types(self.get(name).func, signature, args, kwargs)

    def unique_key_for(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> str | None:
        """The key task `name` gives this call: its fixed key, or its key function's answer."""
        # Imported here: definition.py imports this module to register its tasks.
        from scheduler_core.task_backend.definition import SchedulerTask

        task = self.get(name)
        # A plain django.tasks Task has no unique key.
        if not isinstance(task, SchedulerTask):
            return None
        return task.unique_key_for(args, kwargs)

    def workers_can_find(self, task: Task[..., Any]) -> bool:
        """True when a worker's autodiscover() imports the module that defines `task`.

        That is an installed app's `tasks` module or one in SCHEDULER["TASK_MODULES"], or a
        module whose task one of those imports by name (`from .jobs import send`). A task
        defined anywhere else registers itself in the process that imported it, but no
        worker would ever know it.
        """
        roots = _discovery_roots()
        name = task.module_path
        if self._findable.get(name) == roots:
            return True
        if task.func.__module__ in roots or any(
            _binds(sys.modules.get(root), task) for root in roots
        ):
            self._findable[name] = roots
            return True
        return False

    def autodiscover(self) -> None:
        """Import every installed app's `tasks` module and SCHEDULER["TASK_MODULES"], once."""
        with self._discovery_lock:
            if self._discovered:
                return
            autodiscover_modules("tasks")
            for module in scheduler_conf().task_modules:
                import_module(module)
            # Set only after every import worked, so a broken module fails again next time
            # instead of leaving the registry silently short of tasks.
            self._discovered = True


@functools.cache
def _app_task_modules() -> tuple[str, ...]:
    # Installed apps do not change once Django is set up; enqueue asks on every call.
    return tuple(f"{config.name}.tasks" for config in apps.get_app_configs())


def _discovery_roots() -> tuple[str, ...]:
    """The modules autodiscover() imports: apps' `tasks` and SCHEDULER["TASK_MODULES"]."""
    return (*_app_task_modules(), *scheduler_conf().task_modules)


def _binds(module: object, task: Task[..., Any]) -> bool:
    """True when `module` holds `task` (or a copy of it) under some name."""
    if module is None:
        return False
    return any(getattr(value, "func", None) is task.func for value in vars(module).values())


def _unexpected_keywords(signature: inspect.Signature, kwargs: dict[str, Any]) -> str | None:
    """The first keyword no parameter takes, or None."""
    parameters = signature.parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    by_keyword = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return next((key for key in kwargs if key not in by_keyword), None)


def _keyword_at_fault(
    signature: inspect.Signature, args: list[Any], kwargs: dict[str, Any]
) -> bool:
    """True when a keyword argument, not the positional ones, is what breaks the call."""
    parameters = list(signature.parameters.values())
    by_position = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    positional = [p.name for p in parameters if p.kind in by_position]
    if len(args) > len(positional) and not any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return False  # "too many positional arguments"
    taken_by_position = set(positional[: len(args)])
    if any(key in taken_by_position for key in kwargs):
        return True  # "multiple values for argument"
    # "missing a required keyword-only argument"
    return any(
        p.kind is p.KEYWORD_ONLY and p.default is p.empty and p.name not in kwargs
        for p in parameters
    )


# The registry of this process. SchedulerTask registers itself here when it is defined.
registry = TaskRegistry()
