"""What a run left behind: the database read with plain SQL, and the execution log."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from .execlog import Execution, read

__all__ = ["ErrorRow", "EventRow", "Execution", "Snapshot", "TaskRow", "epoch", "load"]


class Cursor(Protocol):
    """The part of a DB-API cursor the snapshot uses."""

    def execute(self, sql: str, params: Any = ..., /) -> Any: ...
    def fetchall(self) -> list[tuple[Any, ...]]: ...


def task_key(value: object) -> str:
    """A task id as 32 hex digits, whatever the database returned (uuid, str with dashes)."""
    return uuid.UUID(str(value)).hex


def epoch(value: object) -> float:
    """A stored timestamp (datetime or ISO text; naive means UTC) as epoch seconds."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _json(value: object) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


@dataclass(slots=True)
class TaskRow:
    """One task as stored."""

    id: str
    name: str
    status: str
    attempt: int
    max_attempts: int
    run_after: float
    enqueued_at: float
    kwargs: dict[str, Any]
    unique_key: str | None
    # Workflow steps only: the run, the key, and the step whose failure cancelled this one.
    workflow_id: str | None = None
    step_key: str | None = None
    upstream_failed: str | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    """One logged transition."""

    from_status: str
    to_status: str
    at: float
    attempt: int
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class ErrorRow:
    """One recorded attempt error."""

    attempt: int
    exception_type: str
    message: str


@dataclass(slots=True)
class Snapshot:
    """Everything the checker reads."""

    tasks: list[TaskRow] = field(default_factory=list)
    events: dict[str, list[EventRow]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[ErrorRow]] = field(default_factory=lambda: defaultdict(list))
    executions: dict[str, list[Execution]] = field(default_factory=lambda: defaultdict(list))
    # Workflow edges: (parent task id, child task id, ignore_failure).
    edges: list[tuple[str, str, bool]] = field(default_factory=list)
    # Schedule name -> (interval seconds, last fire time in epoch seconds or None).
    schedules: dict[str, tuple[int | None, float | None]] = field(default_factory=dict)
    # Worker id -> the supervisor's pid it registered with.
    worker_pids: dict[str, int] = field(default_factory=dict)


def load(cursor: Cursor, log: Path | None = None) -> Snapshot:
    """Read the task, transition, error, schedule and worker tables, and the execution log."""
    snapshot = Snapshot()
    cursor.execute(
        "SELECT id, name, status, attempt, max_attempts, run_after, enqueued_at, kwargs, "
        "unique_key, workflow_id, step_key, upstream_failed FROM scheduler_task"
    )
    for row in cursor.fetchall():
        snapshot.tasks.append(
            TaskRow(
                id=task_key(row[0]),
                name=row[1],
                status=row[2],
                attempt=row[3],
                max_attempts=row[4],
                run_after=epoch(row[5]),
                enqueued_at=epoch(row[6]),
                kwargs=_json(row[7]) or {},
                unique_key=row[8],
                workflow_id=None if row[9] is None else task_key(row[9]),
                step_key=row[10],
                upstream_failed=row[11],
            )
        )
    cursor.execute("SELECT parent_id, child_id, ignore_failure FROM scheduler_workflow_edge")
    snapshot.edges = [(task_key(p), task_key(c), bool(i)) for p, c, i in cursor.fetchall()]
    cursor.execute(
        "SELECT task_id, from_status, to_status, at, attempt, actor, reason "
        "FROM scheduler_task_event ORDER BY task_id, id"
    )
    for row in cursor.fetchall():
        snapshot.events[task_key(row[0])].append(
            EventRow(row[1], row[2], epoch(row[3]), row[4], row[5], row[6])
        )
    cursor.execute("SELECT task_id, attempt, exception_type, message FROM scheduler_task_error")
    for row in cursor.fetchall():
        snapshot.errors[task_key(row[0])].append(ErrorRow(row[1], row[2], row[3]))
    cursor.execute("SELECT name, interval_seconds, last_run_at FROM scheduler_schedule")
    for name, interval, last in cursor.fetchall():
        snapshot.schedules[name] = (interval, None if last is None else epoch(last))
    cursor.execute("SELECT id, pid FROM scheduler_worker")
    snapshot.worker_pids = {str(worker): int(pid) for worker, pid in cursor.fetchall()}
    if log is not None:
        snapshot.executions.update(read(log))
    return snapshot
