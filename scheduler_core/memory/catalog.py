"""The task registry kept in a set."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from scheduler_core.domain import TaskInvalid
from scheduler_core.domain.defaults import MAX_NAME_LENGTH, TASK_NAME_PATTERN
from scheduler_core.domain.ports import TaskCatalog


class InMemoryTaskCatalog(TaskCatalog):
    """Registered task names held in memory; safe to share between threads."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._names: set[str] = set()
        for name in names:
            self.register(name)

    def register(self, name: str) -> None:
        """Add `name`; TaskInvalid(field='name') unless no task could ever carry it."""
        # Refused here rather than at submit time, so a typo fails where it was made.
        if len(name) > MAX_NAME_LENGTH or not TASK_NAME_PATTERN.fullmatch(name):
            raise TaskInvalid("name", f"{name!r} is not a dotted Python name")
        with self._lock:
            self._names.add(name)

    def is_registered(self, name: str) -> bool:
        """True when `name` is a registered task."""
        with self._lock:
            return name in self._names

    def names(self) -> list[str]:
        """Every registered task name, sorted."""
        with self._lock:
            return sorted(self._names)

    def check_call(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        """Accept every call: this catalog knows the names of tasks, not their signatures."""

    def unique_key_for(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> str | None:
        """None: this catalog knows no key functions."""
        return None
