"""Create or update the schedules declared in settings.SCHEDULER["SCHEDULES"]."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from scheduler_core.bootstrap import get_services
from scheduler_core.domain import ScheduleInvalid
from scheduler_core.schedules.declared import declared_schedules


class Command(BaseCommand):
    help = (
        'Sync settings.SCHEDULER["SCHEDULES"] into the database: create missing schedules, '
        "update those whose code definition changed, keep what operators changed otherwise."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = get_services().schedules.sync(declared_schedules())
        except ScheduleInvalid as error:
            raise CommandError(f"a declared schedule is invalid: {error}") from error
        for label, names in (
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
        ):
            self.stdout.write(f"{label}: {', '.join(names) or '-'}")
