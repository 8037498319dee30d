"""The tasks a schedule produced, found by the unique key each of its runs carries.

Every task a schedule submits (a ticker firing or a "run now") has the key
`schedule:<name>:<instant in UTC, ISO 8601>` (Schedule.unique_key). A name may contain ':',
so the prefix of "a" also starts the keys of "a:b"; the pattern below also asks for an
ISO instant and nothing else after the prefix. Names never contain '+', and every instant
ends in '+00:00', so no other schedule's key can match.

The runs are read as a range of the keys in byte order: every key of one schedule lies
between `schedule:<name>:0` and `schedule:<name>::` (an instant starts with a digit, and
':' follows '9'), which leaves out the keys of "<name>:b" and the like; newest instant
last, since ISO instants in UTC sort by time in byte order ("…:05+00:00" before
"…:05.5+00:00").
Migration 0012 indexes the keys so (under the "C" collation on PostgreSQL, whose database
collation may ignore punctuation); the range is then a few index entries, however large
the task table.
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.functions import Collate

from scheduler_core.domain import Task
from scheduler_core.models import TaskRecord
from scheduler_core.storage.task_repository import to_task

DEFAULT_RUN_LIMIT = 20
_INSTANT = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+\+00:00"


def run_key_pattern(name: str) -> str:
    """A regular expression matching exactly the unique keys of the schedule's runs."""
    return rf"^schedule:{re.escape(name)}:{_INSTANT}$"


def _runs(using: str, name: str) -> QuerySet[TaskRecord]:
    """The schedule's tasks, newest run instant first."""
    # The very expression migration 0012 indexes, so that the range is an index range.
    key: Collate | F = F("unique_key")
    if connections[using].vendor == "postgresql":
        key = Collate("unique_key", "C")
    prefix = f"schedule:{name}:"
    return (
        TaskRecord.objects.using(using)
        .annotate(run_key=key)
        .filter(
            unique_key__isnull=False,
            run_key__gte=f"{prefix}0",
            run_key__lt=f"{prefix}:",
            unique_key__regex=run_key_pattern(name),
        )
        .order_by("-run_key")
    )


def recent_runs(using: str, name: str, limit: int = DEFAULT_RUN_LIMIT) -> list[Task]:
    """The newest `limit` tasks the schedule produced, newest run instant first."""
    rows = _runs(using, name).prefetch_related("error_records")
    return [to_task(record) for record in rows[:limit]]


def latest_run(using: str, name: str) -> Task | None:
    """The schedule's newest task, if it produced any."""
    runs = recent_runs(using, name, 1)
    return runs[0] if runs else None
