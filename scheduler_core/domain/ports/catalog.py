"""Which task names may be submitted and run."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class TaskCatalog(ABC):
    """The registry of task names; nothing outside it is ever imported or run."""

    @abstractmethod
    def is_registered(self, name: str) -> bool:
        """True when `name` is a registered task."""

    @abstractmethod
    def names(self) -> list[str]:
        """Every registered task name, sorted."""

    @abstractmethod
    def check_call(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        """Raise TaskInvalid (on "args" or "kwargs") unless the call fits task `name`."""

    @abstractmethod
    def unique_key_for(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> str | None:
        """The unique key task `name` gives this call, if any; TaskInvalid if its key function
        refuses the arguments."""
