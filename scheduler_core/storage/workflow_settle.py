"""Counting ended workflow steps toward the steps that wait for them, in the same transaction.

Called by every write that ends a step (the set-based success UPDATE and the fenced
one-by-one update: failures, rescues, cancels), inside that write's transaction, so an
outcome and the release it causes commit together or not at all: there is no poller to
lose a release, and a crash between the two cannot happen.

Exactly once, however many parents end at the same moment: each edge is consumed (resolved
false to true) by the statement that counts it, so an outcome is counted once, and the
child's row lock serialises the count-down, so exactly one last parent sees it reach zero.
PostgreSQL (READ COMMITTED) re-checks `status = 'blocked'` and `parents_left` against the
row as the previous locker committed it; SQLite runs every write transaction alone
(BEGIN IMMEDIATE). Children are locked in id order first, so two parents whose child sets
overlap never deadlock. Never decided by reading whether the siblings are done: two last
parents would each see the other still running, and neither would release (write skew).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from scheduler_core.domain import Task, TaskStatus, TaskTransition
from scheduler_core.domain.records import PARENTS_SUCCEEDED, UPSTREAM_FAILED, WORKFLOW
from scheduler_core.domain.workflow_steps import FAILED_FOR_GOOD

from .event_rows import insert_transitions
from .notifications import NOTIFY_CHANNEL
from .sqlite_plans import off_index

# Ids per statement: far below SQLite's variable limit.
CHUNK = 500

CONSUME_SQL = """
UPDATE scheduler_workflow_edge SET resolved = %s
WHERE resolved = %s AND parent_id IN ({ids})
RETURNING parent_id, child_id, ignore_failure
"""
LOCK_SQL = (
    "SELECT id FROM scheduler_task WHERE status = %s AND id IN ({ids}) ORDER BY id FOR UPDATE"
)
CANCEL_SQL = """
UPDATE scheduler_task
SET status = %s, finished_at = %s, upstream_failed = %s, parents_left = 0
WHERE {g}status = %s AND id IN ({ids})
RETURNING id, attempt
"""
# CASE reads the row as it was before this UPDATE, so `parents_left <= n` is "this count
# takes it to zero".
COUNT_DOWN_SQL = """
UPDATE scheduler_task
SET parents_left = CASE WHEN parents_left <= %s THEN 0 ELSE parents_left - %s END,
    status = CASE WHEN parents_left <= %s THEN %s ELSE status END,
    run_after = CASE WHEN parents_left <= %s THEN %s ELSE run_after END
WHERE {g}status = %s AND id IN ({ids})
RETURNING id, status, attempt, queue
"""


def settle_ended_steps(using: str, ended: Sequence[Task]) -> int:
    """Count these just-stored step outcomes toward their children; how many were released.

    A success counts down; a failure or cancel cancels the waiting children ("upstream
    failed: <key>", and on down) unless a child ignores that parent's failure, in which case
    it counts down too. Must run inside the transaction that stored the outcomes.
    """
    connection = connections[using]
    good = [task.id for task in ended if task.status is TaskStatus.SUCCEEDED]
    bad = {
        task.id: task.step_key or str(task.id) for task in ended if task.status in FAILED_FOR_GOOD
    }
    moments = [task.finished_at for task in ended if task.finished_at is not None]
    if not moments:
        return 0
    now = max(moments)
    released = 0
    while good or bad:
        edges = _consume(connection, [*good, *bad])
        if not edges:
            break
        counts: dict[UUID, int] = defaultdict(int)
        cancels: dict[UUID, str] = {}
        for parent_id, child_id, ignore_failure in edges:
            if parent_id in bad and not ignore_failure:
                cancels.setdefault(child_id, bad[parent_id])
            else:
                counts[child_id] += 1
        _lock_children(connection, sorted(set(counts) | set(cancels)))
        transitions: list[TaskTransition] = []
        # Cancels first: a child with a failed parent is cancelled even if another parent
        # of it succeeded in the same round (the count-down then finds it no longer blocked).
        next_bad = _cancel(connection, cancels, now, transitions)
        released += _count_down(connection, counts, now, transitions)
        insert_transitions(using, transitions)
        good, bad = [], next_bad
    return released


def _consume(
    connection: BaseDatabaseWrapper, parents: Sequence[UUID]
) -> list[tuple[UUID, UUID, bool]]:
    edges = []
    for chunk in _chunks(parents):
        sql = CONSUME_SQL.format(ids=_marks(chunk))
        with connection.cursor() as cursor:
            cursor.execute(sql, [True, False, *(_key(connection, i) for i in chunk)])
            edges += [(_uuid(p), _uuid(c), bool(i)) for p, c, i in cursor.fetchall()]
    return edges


def _lock_children(connection: BaseDatabaseWrapper, children: Sequence[UUID]) -> None:
    # One child needs no ordering; SQLite's writer lock already serialises everything.
    if connection.vendor != "postgresql" or len(children) < 2:
        return
    for chunk in _chunks(children):
        with connection.cursor() as cursor:
            cursor.execute(LOCK_SQL.format(ids=_marks(chunk)), [TaskStatus.BLOCKED.value, *chunk])


def _cancel(
    connection: BaseDatabaseWrapper,
    cancels: dict[UUID, str],
    now: datetime,
    transitions: list[TaskTransition],
) -> dict[UUID, str]:
    by_key: dict[str, list[UUID]] = defaultdict(list)
    for child_id, key in cancels.items():
        by_key[key].append(child_id)
    cancelled: dict[UUID, str] = {}
    moment = _moment(connection, now)
    for key, children in by_key.items():
        for chunk in _chunks(children):
            params: list[Any] = [TaskStatus.CANCELLED.value, moment, key, TaskStatus.BLOCKED.value]
            with connection.cursor() as cursor:
                cursor.execute(
                    CANCEL_SQL.format(ids=_marks(chunk), g=off_index(connection)),
                    [*params, *_keys(connection, chunk)],
                )
                rows = cursor.fetchall()
            for raw_id, attempt in rows:
                child_id = _uuid(raw_id)
                cancelled[child_id] = key
                transitions.append(
                    _transition(
                        child_id, TaskStatus.CANCELLED, now, attempt, f"{UPSTREAM_FAILED}: {key}"
                    )
                )
    return cancelled


def _count_down(
    connection: BaseDatabaseWrapper,
    counts: dict[UUID, int],
    now: datetime,
    transitions: list[TaskTransition],
) -> int:
    by_count: dict[int, list[UUID]] = defaultdict(list)
    for child_id, n in counts.items():
        by_count[n].append(child_id)
    moment = _moment(connection, now)
    ready = TaskStatus.READY.value
    queues: set[str] = set()
    released = 0
    for n, children in by_count.items():
        for chunk in _chunks(children):
            params: list[Any] = [n, n, n, ready, n, moment, TaskStatus.BLOCKED.value]
            with connection.cursor() as cursor:
                cursor.execute(
                    COUNT_DOWN_SQL.format(ids=_marks(chunk), g=off_index(connection)),
                    [*params, *_keys(connection, chunk)],
                )
                rows = cursor.fetchall()
            for raw_id, status, attempt, queue in rows:
                if status == ready:
                    released += 1
                    queues.add(queue)
                    transitions.append(
                        _transition(
                            _uuid(raw_id), TaskStatus.READY, now, attempt, PARENTS_SUCCEEDED
                        )
                    )
    if queues and connection.vendor == "postgresql":
        # Delivered on commit, like a submit's: idle claimers of these queues wake at once.
        with connection.cursor() as cursor:
            for queue in sorted(queues):
                cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, queue])
    return released


def _transition(
    task_id: UUID, to: TaskStatus, now: datetime, attempt: int, reason: str
) -> TaskTransition:
    return TaskTransition(
        task_id=task_id,
        from_status=TaskStatus.BLOCKED,
        to_status=to,
        at=now,
        attempt=attempt,
        actor=WORKFLOW,
        reason=reason,
    )


def _chunks(ids: Sequence[UUID]) -> Iterable[Sequence[UUID]]:
    for first in range(0, len(ids), CHUNK):
        yield ids[first : first + CHUNK]


def _marks(chunk: Sequence[UUID]) -> str:
    return ", ".join(["%s"] * len(chunk))


def _key(connection: BaseDatabaseWrapper, task_id: UUID) -> Any:
    # As Django stores a UUIDField: native on PostgreSQL, 32 hex digits on SQLite.
    return task_id if connection.vendor == "postgresql" else task_id.hex


def _keys(connection: BaseDatabaseWrapper, ids: Sequence[UUID]) -> list[Any]:
    return [_key(connection, task_id) for task_id in ids]


def _moment(connection: BaseDatabaseWrapper, moment: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _uuid(value: Any) -> UUID:
    # PostgreSQL returns a UUID, SQLite the 32 hex digits Django stores.
    return value if isinstance(value, UUID) else UUID(str(value))
