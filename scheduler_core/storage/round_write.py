"""A round of the outcome writer in one PostgreSQL statement: starts, successes, their events.

A worker's outcome writer stores, each round, the starts of attempts that began and the
successes of those that ended. Written as a transaction it took eight round trips: BEGIN,
the lock in id order, the stamp of the starts, a SAVEPOINT, the fenced UPDATE, the INSERT
of the transitions, RELEASE and COMMIT. Each costs the worker about 40 µs of CPU and the
server a statement of its own. Here the round is one statement, its own transaction:

- `locked` takes every row the statement will change, lowest id first, as the heartbeat
  does (row_locks.LOCKED_IN_ID_ORDER). Both updates join `gate`, which counts it, so it
  runs to the end before either update can change (and lock) a row of its own accord.
- `stamped` stamps the starts (attempt_start.STAMPED, which a round of starts alone runs
  by itself behind the same lock).
- `done` stores the successes, fenced as completion.py fences them (id, running, attempt,
  holder, no cancel request). Rows that fail the fence are left as they were; their ids
  are missing from the answer, so the caller decides what the refusal means.
- `events` logs the transitions of the rows `done` changed, and of no others.

Only for plain successes of tasks outside a workflow (completion.is_plain_success): a
failure writes error rows and a workflow step settles its run, which take their own paths.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.db import connections

from scheduler_core.domain import Task
from scheduler_core.models import exact_json

from .attempt_start import STAMPED, start_records
from .completion import is_plain_success
from .event_rows import event_document
from .json_params import json_records, uuid_array
from .prepared import prepared_cursor
from .row_locks import LOCKED_IN_ID_ORDER

_DONE_FIELDS = ("id", "attempt", "worker_id", "result", "finished_at")
_ROUND_SQL = f"""
WITH {LOCKED_IN_ID_ORDER},{STAMPED},
done AS (
    UPDATE scheduler_task AS t
    SET status = 'succeeded', result = r.result::jsonb, finished_at = r.finished_at,
        lease_expires_at = NULL
    FROM json_to_recordset(%(done)s::json) AS r(id uuid, attempt int, worker_id text,
        result text, finished_at timestamptz), gate
    WHERE t.id = r.id AND t.status = 'running' AND NOT t.cancel_requested
      AND t.attempt = r.attempt AND t.worker_id = r.worker_id
    RETURNING t.id
),
events AS (
    INSERT INTO scheduler_task_event (task_id, from_status, to_status, at, attempt, actor, reason)
    SELECT e.task_id, e.from_status, e.to_status, e.at, e.attempt, e.actor, e.reason
    FROM json_to_recordset(%(events)s::json) AS e(task_id uuid, from_status text,
        to_status text, at timestamptz, attempt int, actor text, reason text)
    JOIN done ON done.id = e.task_id
)
SELECT id FROM done
"""


def can_write_round(using: str, ended: Sequence[Task]) -> bool:
    """True when store_round() can write these endings: PostgreSQL, plain successes only."""
    return connections[using].vendor == "postgresql" and all(
        is_plain_success(task) and task.workflow_id is None for task in ended
    )


def store_round(using: str, started: Sequence[Task], ended: Sequence[Task]) -> set[UUID]:
    """Stamp the starts of `started` and store the successes `ended`; the ids stored."""
    ending = {task.id for task in ended}
    # A task that ended this round has no start left to stamp (and no row is changed twice).
    starting = [task for task in started if task.id not in ending]
    # Lists go as JSON and an array literal (json_params.py): psycopg's arrays cost more.
    params: dict[str, Any] = {
        "all_ids": uuid_array(sorted(ending | {task.id for task in starting})),
        "starts": start_records((task.id, task.attempt, task.worker_id) for task in starting),
        "done": json_records(_DONE_FIELDS, [_done_row(task) for task in ended]),
        "events": json.dumps(event_document(t for task in ended for t in task.pending_transitions)),
    }
    with prepared_cursor(using) as cursor:
        cursor.execute(_ROUND_SQL, params)
        stored = {row[0] for row in cursor.fetchall()}
    for task in ended:
        if task.id in stored:
            task.pending_transitions.clear()
    return stored


def _done_row(task: Task) -> tuple[str, int, str | None, str | None, str | None]:
    finished = task.finished_at
    return (
        str(task.id),
        task.attempt,
        task.worker_id,
        _json_or_null(task.result),
        None if finished is None else finished.isoformat(),
    )


def _json_or_null(value: Any) -> str | None:
    # As the model's JSONField stores it: None is SQL NULL, anything else its exact JSON.
    return None if value is None else exact_json.dumps(value)
