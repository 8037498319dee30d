"""The tasks a schedule produced, found by the unique key each of its runs carries.

Every task a schedule submits (a ticker firing or a "run now") has the key
`schedule:<name>:<instant in UTC, ISO 8601>` (Schedule.unique_key). A name may contain ':',
so the prefix of "a" also starts the keys of "a:b"; the pattern below also asks for an
ISO instant and nothing else after the prefix. Names never contain '+', and every instant
ends in '+00:00', so no other schedule's key can match.
"""

from __future__ import annotations

import re

from django.db.models import QuerySet

from scheduler_core.domain import Task
from scheduler_core.models import TaskRecord

from .task_repository import to_task

DEFAULT_RUN_LIMIT = 20
_INSTANT = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+\+00:00"


def run_key_pattern(name: str) -> str:
    """A regular expression matching exactly the unique keys of the schedule's runs."""
    return rf"^schedule:{re.escape(name)}:{_INSTANT}$"


def _runs(using: str, name: str) -> QuerySet[TaskRecord]:
    return TaskRecord.objects.using(using).filter(
        unique_key__startswith=f"schedule:{name}:", unique_key__regex=run_key_pattern(name)
    )


def recent_runs(using: str, name: str, limit: int = DEFAULT_RUN_LIMIT) -> list[Task]:
    """The newest `limit` tasks the schedule produced, newest first."""
    rows = _runs(using, name).order_by("-enqueued_at", "-id").prefetch_related("error_records")
    return [to_task(record) for record in rows[:limit]]


def latest_run(using: str, name: str) -> Task | None:
    """The schedule's newest task, if it produced any."""
    runs = recent_runs(using, name, 1)
    return runs[0] if runs else None
