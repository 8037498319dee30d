"""Locking task rows in id order: the one order every multi-row writer of a worker follows.

The outcome writer's transaction stamps starts and then stores endings, statement after
statement; the heartbeat extends the leases of all held attempts in one statement. Each
used to lock rows in whatever order its statements and plans met them, so a writer holding
a high row and wanting a low one could meet a heartbeat holding the low one and wanting the
high one. PostgreSQL broke that cycle after deadlock_timeout (1 s) by failing one of them:
the writer fell back to one-by-one writes, or the heartbeat failed, and a worker whose
heartbeats kept failing was declared dead. Taking every row a transaction will change
first, in ascending id, leaves no cycle to form. SQLite locks the whole file for a writer,
so there is nothing to order there.
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from django.db import connections
from django.db.models import QuerySet

from scheduler_core.models import TaskRecord

_LOCK_SQL = "SELECT id FROM scheduler_task WHERE id = ANY(%s) ORDER BY id FOR UPDATE"

# The same lock at the head of a single statement (its own transaction): `locked` takes the
# rows %(all_ids)s names (an array literal, json_params.uuid_array), lowest id first, and
# `gate` counts them. Every update in the statement joins `gate`, so the lock runs to the
# end before any update can take (and lock) a row of its own accord, in whatever order its
# plan meets them.
LOCKED_IN_ID_ORDER = """locked AS MATERIALIZED (
    SELECT id FROM scheduler_task WHERE id = ANY(%(all_ids)s::uuid[]) ORDER BY id FOR UPDATE
),
gate AS MATERIALIZED (SELECT count(*) AS locked FROM locked)"""


def lock_tasks_in_id_order(using: str, ids: Collection[UUID]) -> None:
    """Lock these task rows, lowest id first, until the transaction ends (PostgreSQL)."""
    if not ids or connections[using].vendor != "postgresql":
        return
    with connections[using].cursor() as cursor:
        cursor.execute(_LOCK_SQL, [sorted(ids)])


def lock_rows_in_id_order(rows: QuerySet[TaskRecord]) -> None:
    """Lock the task rows `rows` selects, lowest id first, until the transaction ends."""
    if connections[rows.db].vendor != "postgresql":
        return
    list(rows.select_for_update().order_by("id").values_list("id", flat=True))
