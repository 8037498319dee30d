"""Schedules kept in the database through the Django ORM."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from scheduler_core.domain import Schedule, ScheduleInvalid, ScheduleNotFound
from scheduler_core.domain.ports import ScheduleRepository
from scheduler_core.models import ScheduleRecord

from .mapping import schedule_from_record, schedule_values


class DjangoScheduleRepository(ScheduleRepository):
    """Schedules in the `scheduler_schedule` table of database `using`."""

    def __init__(self, using: str = "default") -> None:
        self.using = using

    def _rows(self) -> QuerySet[ScheduleRecord]:
        return ScheduleRecord.objects.using(self.using)

    def add(self, schedule: Schedule) -> None:
        """Store a new schedule; ScheduleInvalid on `name` if the name is taken."""
        try:
            with transaction.atomic(using=self.using):
                self._rows().create(
                    name=schedule.name,
                    next_run_at=schedule.next_run_at,
                    last_run_at=schedule.last_run_at,
                    **schedule_values(schedule),
                )
        except IntegrityError as error:
            raise ScheduleInvalid("name", f"a schedule called {schedule.name!r} exists") from error

    def get(self, name: str) -> Schedule:
        """The schedule called `name`; ScheduleNotFound if there is none."""
        # No stored name holds a NUL, and PostgreSQL would refuse the query with one.
        record = None if "\x00" in name else self._rows().filter(name=name).first()
        if record is None:
            raise ScheduleNotFound(f"no schedule called {name!r}")
        return schedule_from_record(record)

    def all(self) -> list[Schedule]:
        """Every schedule, by name."""
        return [schedule_from_record(record) for record in self._rows().order_by("name")]

    def save(self, schedule: Schedule) -> None:
        """Overwrite a stored schedule's definition and enabled flag, never its run times."""
        if not self._rows().filter(name=schedule.name).update(**schedule_values(schedule)):
            raise ScheduleNotFound(f"no schedule called {schedule.name!r}")

    def reschedule(self, name: str, next_run_at: datetime) -> None:
        """Set the next run of a schedule whose timing changed; ScheduleNotFound if unknown."""
        if not self._rows().filter(name=name).update(next_run_at=next_run_at):
            raise ScheduleNotFound(f"no schedule called {name!r}")

    def delete(self, name: str) -> None:
        """Remove the schedule called `name`; nothing happens if there is none."""
        self._rows().filter(name=name).delete()

    def due(self, now: datetime, limit: int) -> list[Schedule]:
        """Up to `limit` enabled schedules whose next run is at or before `now`, oldest first."""
        rows = self._rows().filter(enabled=True, next_run_at__lte=now)
        return [schedule_from_record(r) for r in rows.order_by("next_run_at", "name")[:limit]]

    def advance(
        self,
        name: str,
        *,
        expected_next_run_at: datetime,
        next_run_at: datetime,
        last_run_at: datetime | None,
    ) -> bool:
        """One UPDATE ... WHERE next_run_at = expected: exactly one concurrent caller wins."""
        # On PostgreSQL a second UPDATE waits for the first one's row lock, then re-reads the
        # row and finds next_run_at moved on; SQLite serialises writers with BEGIN IMMEDIATE.
        changed = (
            self._rows()
            .filter(name=name, enabled=True, next_run_at=expected_next_run_at)
            .update(next_run_at=next_run_at, last_run_at=last_run_at)
        )
        return changed == 1

    def atomic(self) -> AbstractContextManager[None]:
        """The database transaction the task repository writes in too (same alias)."""
        return transaction.atomic(using=self.using)
