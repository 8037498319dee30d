"""Where schedules are kept, and the one atomic step that fires them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..schedule import Schedule


class ScheduleRepository(ABC):
    """Stores schedules by their unique name."""

    @abstractmethod
    def add(self, schedule: Schedule) -> None:
        """Store a new schedule; ScheduleInvalid on `name` if the name is taken."""

    @abstractmethod
    def get(self, name: str) -> Schedule:
        """The schedule called `name`; ScheduleNotFound if there is none."""

    @abstractmethod
    def all(self) -> list[Schedule]:
        """Every schedule, by name."""

    @abstractmethod
    def save(self, schedule: Schedule) -> None:
        """Overwrite a stored schedule's definition and enabled flag, never its run times.

        ScheduleNotFound if there is none. The run times belong to the ticker's compare-and-swap
        (and to reschedule), so a save can never rewind a schedule into firing twice.
        """

    @abstractmethod
    def reschedule(self, name: str, next_run_at: datetime) -> None:
        """Set the next run of a schedule whose timing changed; ScheduleNotFound if unknown."""

    @abstractmethod
    def delete(self, name: str) -> None:
        """Remove the schedule called `name`; nothing happens if there is none."""

    @abstractmethod
    def due(self, now: datetime, limit: int) -> list[Schedule]:
        """Up to `limit` enabled schedules whose next run is at or before `now`, oldest first."""

    @abstractmethod
    def advance(
        self,
        name: str,
        *,
        expected_next_run_at: datetime,
        next_run_at: datetime,
        last_run_at: datetime | None,
    ) -> bool:
        """Compare-and-swap the next run; True only for the one caller whose expectation held."""

    @abstractmethod
    def atomic(self) -> AbstractContextManager[None]:
        """One transaction with the task repository: an advance and its enqueue commit together."""
