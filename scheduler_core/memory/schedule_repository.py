"""Schedules held in memory."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from scheduler_core.domain import Schedule, ScheduleInvalid, ScheduleNotFound
from scheduler_core.domain.ports import ScheduleRepository


class InMemoryScheduleRepository(ScheduleRepository):
    """A thread-safe schedule table; schedules go in and come out as copies."""

    def __init__(self) -> None:
        # Re-entrant: advance() runs inside atomic() on the same thread.
        self._lock = threading.RLock()
        self._schedules: dict[str, Schedule] = {}

    def add(self, schedule: Schedule) -> None:
        """Store a new schedule; ScheduleInvalid on `name` if the name is taken."""
        with self._lock:
            if schedule.name in self._schedules:
                raise ScheduleInvalid("name", f"a schedule called {schedule.name!r} exists")
            self._schedules[schedule.name] = copy.deepcopy(schedule)

    def get(self, name: str) -> Schedule:
        """The schedule called `name`; ScheduleNotFound if there is none."""
        with self._lock:
            return copy.deepcopy(self._stored(name))

    def all(self) -> list[Schedule]:
        """Every schedule, by name."""
        with self._lock:
            return [copy.deepcopy(self._schedules[name]) for name in sorted(self._schedules)]

    def save(self, schedule: Schedule) -> None:
        """Overwrite a stored schedule's definition and enabled flag, never its run times."""
        with self._lock:
            stored = self._stored(schedule.name)
            kept = copy.deepcopy(schedule)
            kept.next_run_at, kept.last_run_at = stored.next_run_at, stored.last_run_at
            self._schedules[schedule.name] = kept

    def reschedule(self, name: str, next_run_at: datetime) -> None:
        """Set the next run of a schedule whose timing changed; ScheduleNotFound if unknown."""
        with self._lock:
            self._stored(name).next_run_at = next_run_at

    def delete(self, name: str) -> None:
        """Remove the schedule called `name`; nothing happens if there is none."""
        with self._lock:
            self._schedules.pop(name, None)

    def due(self, now: datetime, limit: int) -> list[Schedule]:
        """Up to `limit` enabled schedules whose next run has come, oldest first."""
        with self._lock:
            due = [
                s
                for s in self._schedules.values()
                if s.enabled and s.next_run_at is not None and s.next_run_at <= now
            ]
            due.sort(key=lambda s: (s.next_run_at, s.name))
            return [copy.deepcopy(s) for s in due[:limit]]

    def advance(
        self,
        name: str,
        *,
        expected_next_run_at: datetime,
        next_run_at: datetime,
        last_run_at: datetime | None,
    ) -> bool:
        """Move the next run on only if it still is `expected_next_run_at`."""
        with self._lock:
            stored = self._schedules.get(name)
            if stored is None or stored.next_run_at != expected_next_run_at:
                return False
            stored.next_run_at = next_run_at
            stored.last_run_at = last_run_at
            return True

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Hold the table for the block; an exception restores the schedules as they were."""
        with self._lock:
            saved = copy.deepcopy(self._schedules)
            try:
                yield
            except BaseException:
                self._schedules = saved
                raise

    def _stored(self, name: str) -> Schedule:
        try:
            return self._schedules[name]
        except KeyError:
            raise ScheduleNotFound(f"no schedule called {name!r}") from None
