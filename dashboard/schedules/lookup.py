"""Shared pieces of the schedules views: the service, a schedule or 404, its runs."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from scheduler_core.bootstrap import get_queries, get_services
from scheduler_core.domain import Schedule, ScheduleNotFound, Task
from scheduler_core.queries import latest_run, recent_runs
from scheduler_core.services import ScheduleService

from .timing import describe_timing


def schedule_service() -> ScheduleService:
    """The process's schedule service."""
    return get_services().schedules


def schedule_or_404(name: str) -> Schedule:
    """The stored schedule called `name`, or a 404 page."""
    try:
        return schedule_service().get(name)
    except ScheduleNotFound as error:
        raise Http404(f"no schedule is called {name!r}") from error


def runs_of(name: str, limit: int) -> list[Task]:
    """The newest tasks the schedule produced (firings and run-nows), newest first."""
    return recent_runs(get_queries().database, name, limit)


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """A schedule as a list row: with its timing in words and its newest task."""

    schedule: Schedule
    description: str
    last_task: Task | None


def rows() -> list[ScheduleRow]:
    """Every schedule by name, described, with its newest task (one query each)."""
    database = get_queries().database
    return [
        ScheduleRow(
            schedule=schedule,
            description=describe_timing(schedule.cron, schedule.interval_seconds),
            last_task=latest_run(database, schedule.name),
        )
        for schedule in schedule_service().all()
    ]
