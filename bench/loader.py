"""Loading many tasks fast, below the ORM: PostgreSQL COPY, SQLite executemany in one transaction.

Rows are written in exactly the format Django stores (UUIDs as hex on SQLite, UTC datetimes,
JSON as text), so the application reads them as if it had written them.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .databases import BenchDatabase

TASK_COLUMNS = (
    "id, name, args, kwargs, queue, priority, status, attempt, max_attempts, run_after, "
    "enqueued_at, started_at, finished_at, worker_id, worker_ids, lease_expires_at, result, "
    "timeout, unique_key, cancel_requested"
)
ERROR_COLUMNS = "task_id, attempt, exception_type, message, traceback, failed_at, worker_id"
EVENT_COLUMNS = "task_id, from_status, to_status, at, attempt, actor, reason"

# What a dashboard at a million rows looks like: mostly history, a little live work.
STATUS_MIX = (
    ("succeeded", 85),
    ("failed", 5),
    ("cancelled", 2),
    ("ready", 3),
    ("scheduled", 2),
    ("retrying", 1),
    ("running", 2),
)
QUEUES = ("default", "emails", "reports", "billing", "media")
NAMES = ("demo.tasks.noop", "demo.tasks.add", "demo.tasks.report", "demo.tasks.flaky")
FINISHED = {"succeeded", "failed", "cancelled"}
WORKER = "bench-host-1-abcd"
BATCH = 20_000


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a load wrote: some task ids to look at afterwards."""

    count: int
    sample_id: uuid.UUID


def load_ready_noops(database: BenchDatabase, count: int, payload_bytes: int = 0) -> Loaded:
    """`count` due no-op tasks in the default queue, as submit_many would store them.

    With `payload_bytes`, each is `demo.tasks.consume` with one argument: a text of about
    that many bytes, words that differ from task to task, as real arguments do.
    """
    now = datetime.now(UTC) - timedelta(seconds=5)
    if not payload_bytes:
        return _load(database, (_ready_noop(now, i) for i in range(count)), [], [])

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(count):
            row = _ready_noop(now, i)
            args = json.dumps([payload(i, payload_bytes)])
            yield (row[0], "demo.tasks.consume", args, *row[3:])

    return _load(database, rows(), [], [])


def payload(i: int, size: int) -> str:
    """About `size` bytes of words for task `i` (customer-7-3 order-7-3 ...)."""
    words: list[str] = []
    length = 0
    while length < size:
        word = f"customer-{i}-{len(words)} order-{i * 7 + len(words)}"
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def load_ready_spread(database: BenchDatabase, count: int, queues: int) -> Loaded:
    """`count` due no-op tasks dealt round-robin over queues q0 .. q{queues - 1}."""
    now = datetime.now(UTC) - timedelta(seconds=5)
    names = [f"q{n}" for n in range(queues)]

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(count):
            row = _ready_noop(now, i)
            yield (*row[:4], names[i % queues], *row[5:])

    # No ANALYZE on SQLite: a live database has no statistics there (nothing runs it, where
    # PostgreSQL's autovacuum does), and with them W6 hid a claim that sorted the backlog.
    return _load(database, rows(), [], [], analyze=database.kind == "postgres")


def load_history(database: BenchDatabase, count: int, seed: int = 8) -> Loaded:
    """`count` tasks of every status over 30 days, with errors and (recent) transitions."""
    rng = random.Random(seed)
    statuses = [status for status, weight in STATUS_MIX for _ in range(weight)]
    start = datetime.now(UTC) - timedelta(days=30)
    step = timedelta(days=30) / max(count, 1)
    errors: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(count):
            status = rng.choice(statuses)
            row, error, event = _history_row(rng, i, status, start + step * i, count)
            if error is not None:
                errors.append(error)
            events.extend(event)
            yield row

    return _load(database, rows(), errors, events)


def _ready_noop(now: datetime, i: int) -> tuple[Any, ...]:
    moment = now + timedelta(microseconds=i)
    return (
        uuid.uuid4(), "demo.tasks.noop", "[]", "{}", "default", 0, "ready", 0, 3,
        moment, moment, None, None, None, "[]", None, None, None, None, False,
    )  # fmt: skip


def _history_row(
    rng: random.Random, i: int, status: str, enqueued: datetime, count: int
) -> tuple[tuple[Any, ...], tuple[Any, ...] | None, list[tuple[Any, ...]]]:
    task_id = uuid.uuid4()
    started = enqueued + timedelta(milliseconds=rng.randint(1, 500))
    ran = status in FINISHED or status in ("running", "retrying")
    took = timedelta(milliseconds=rng.randint(1, 2000))
    finished = started + took if status in FINISHED else None
    attempt = (3 if status == "failed" else 1) if ran and status != "cancelled" else 0
    run_after = enqueued + timedelta(hours=1) if status in ("scheduled", "retrying") else enqueued
    lease = started + timedelta(seconds=60) if status == "running" else None
    args = json.dumps([{"order": f"order-{i}"}])
    row = (
        task_id, rng.choice(NAMES), args, "{}", QUEUES[i % len(QUEUES)], rng.choice((0, 0, 0, 10)),
        status, attempt, 3, run_after, enqueued, started if ran else None, finished,
        WORKER if ran else None, json.dumps([WORKER] * attempt), lease,
        "42" if status == "succeeded" else None, None, None, False,
    )  # fmt: skip
    error = None
    if status in ("failed", "retrying"):
        message = f"order-{i} could not be processed"
        trace = 'Traceback (most recent call last):\n  File "demo/tasks.py", line 38\nValueError\n'
        error = (task_id, attempt, "ValueError", message, trace, finished or started, WORKER)
    events = []
    # The newest tenth has a transition log, as if older logs had been pruned with their tasks.
    if i >= count * 0.9 and ran:
        events.append((task_id, "ready", "running", started, max(attempt, 1), WORKER, ""))
        if finished is not None:
            events.append((task_id, "running", status, finished, max(attempt, 1), WORKER, ""))
    return row, error, events


def _load(
    database: BenchDatabase,
    tasks: Iterator[tuple[Any, ...]],
    errors: list[tuple[Any, ...]],
    events: list[tuple[Any, ...]],
    *,
    analyze: bool = True,
) -> Loaded:
    # Errors and events are filled while the task rows stream, so tasks go first.
    if database.kind == "postgres":
        count, sample = _copy_postgres(database, "scheduler_task", TASK_COLUMNS, tasks)
        _copy_postgres(database, "scheduler_task_error", ERROR_COLUMNS, iter(errors))
        _copy_postgres(database, "scheduler_task_event", EVENT_COLUMNS, iter(events))
    else:
        count, sample = _insert_sqlite(database, "scheduler_task", TASK_COLUMNS, tasks)
        _insert_sqlite(database, "scheduler_task_error", ERROR_COLUMNS, iter(errors))
        _insert_sqlite(database, "scheduler_task_event", EVENT_COLUMNS, iter(events))
    if analyze:
        database.query("ANALYZE")
    return Loaded(count, sample)


def _copy_postgres(
    database: BenchDatabase, table: str, columns: str, rows: Iterator[tuple[Any, ...]]
) -> tuple[int, uuid.UUID]:
    import psycopg

    count = 0
    sample = uuid.UUID(int=0)
    sql = f"COPY {table} ({columns}) FROM STDIN".encode()
    with (
        psycopg.connect(database.url) as connection,
        connection.cursor() as cursor,
        cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
            sample = row[0]
    return count, sample


def _insert_sqlite(
    database: BenchDatabase, table: str, columns: str, rows: Iterator[tuple[Any, ...]]
) -> tuple[int, uuid.UUID]:
    import sqlite3

    marks = ", ".join("?" for _ in columns.split(","))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    count = 0
    sample = uuid.UUID(int=0)
    connection = sqlite3.connect(database.url.removeprefix("sqlite:///"), timeout=60)
    try:
        with connection:
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                sample = row[0]
                batch.append(tuple(_sqlite_value(value) for value in row))
                if len(batch) == BATCH:
                    connection.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            connection.executemany(sql, batch)
            count += len(batch)
    finally:
        connection.close()
    return count, sample


def _sqlite_value(value: Any) -> Any:
    # Django's SQLite format: UUIDs as 32 hex digits, naive UTC datetimes with microseconds.
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value
