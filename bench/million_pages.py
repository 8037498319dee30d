"""Page latencies with a million tasks: load rows in bulk, then time every dashboard page.

Usage:
    DATABASE_URL=sqlite:////tmp/m.sqlite3 python bench/million_pages.py load --tasks 1000000
    DATABASE_URL=... python bench/million_pages.py time [--runs 20] [--json F] [--explain]

`load` migrates, then writes the tasks (92% finished, spread over a week, two log rows
each) with SQLite executemany in one transaction or PostgreSQL COPY. When the counter
triggers exist (migration 0008) it drops them for the load and reinstalls them afterwards,
which backfills the counters, and reports how long that took. `time` requests each page
with a logged-in superuser and prints p50/p95 in milliseconds; `--explain` prints each
page's queries with their plans.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_started  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

QUEUES = [("default", 50), ("mail", 30), ("reports", 15), ("images", 5)]
STATUSES = [
    ("succeeded", 920),
    ("failed", 30),
    ("cancelled", 20),
    ("ready", 15),
    ("scheduled", 10),
    ("retrying", 3),
    ("running", 2),
]
TASK_COLUMNS = [
    "id",
    "name",
    "args",
    "kwargs",
    "queue",
    "priority",
    "status",
    "attempt",
    "max_attempts",
    "run_after",
    "enqueued_at",
    "started_at",
    "finished_at",
    "worker_id",
    "worker_ids",
    "lease_expires_at",
    "result",
    "timeout",
    "unique_key",
    "cancel_requested",
]
EVENT_COLUMNS = ["task_id", "from_status", "to_status", "at", "attempt", "actor", "reason"]


def _choice(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in weighted], [w for _, w in weighted])[0]


def rows(count: int, now: datetime) -> Iterator[tuple[list[Any], list[list[Any]]]]:
    """(task row, its log rows) in column order, values as Python objects."""
    rng = random.Random(8)
    for index in range(count):
        status = _choice(rng, STATUSES)
        enqueued = now - timedelta(seconds=rng.uniform(60, 7 * 86400))
        run_after, started, finished, worker, lease = enqueued, None, None, None, None
        attempt = 0
        events: list[list[Any]] = []
        task_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        if status == "scheduled":
            run_after = now + timedelta(seconds=rng.uniform(3600, 2 * 86400))
        if status == "retrying":
            run_after = now + timedelta(seconds=rng.uniform(10, 600))
        if status in ("succeeded", "failed", "running", "retrying") or (
            status == "cancelled" and index % 2
        ):
            attempt = 1
            worker = f"host-{index % 7}:{1000 + index % 13}"
            started = enqueued + timedelta(seconds=rng.uniform(0.001, 5))
            events.append([task_id, "ready", "running", started, 1, worker, ""])
            if status == "running":
                lease = now + timedelta(minutes=1)
            else:
                done = started + timedelta(seconds=rng.uniform(0.001, 2))
                finished = None if status == "retrying" else done
                events.append([task_id, "running", status, done, 1, worker, ""])
        elif status == "cancelled":
            finished = enqueued + timedelta(seconds=rng.uniform(1, 60))
            events.append([task_id, "ready", "cancelled", finished, 0, "operator", "cancelled"])
        task = [
            task_id,
            f"demo.tasks.job{index % 20}",
            json.dumps([index, f"payload-{index}"]),
            json.dumps({"n": index % 1000}),
            _choice(rng, QUEUES),
            rng.choice((0, 0, 0, 5, -5)),
            status,
            attempt,
            3,
            run_after,
            enqueued,
            started,
            finished,
            worker,
            json.dumps([worker] if worker else []),
            lease,
            json.dumps(index) if status == "succeeded" else None,
            None,
            None,
            False,
        ]
        yield task, events


def _counters_module() -> Any:
    try:
        from scheduler_core.storage import counters
    except ImportError:  # before migration 0008
        return None
    return counters


def load(count: int) -> None:
    """Migrate, then bulk-load `count` tasks and their log rows."""
    call_command("migrate", verbosity=0)
    counters = _counters_module()
    started = time.perf_counter()
    with transaction.atomic():
        if counters:
            counters.uninstall_counters(connection)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM scheduler_task_event")
            cursor.execute("DELETE FROM scheduler_task_error")
            cursor.execute("DELETE FROM scheduler_task")
        now = datetime.now(UTC)
        if connection.vendor == "postgresql":
            _copy_postgres(count, now)
        else:
            _insert_sqlite(count, now)
    loaded = time.perf_counter() - started
    print(f"loaded {count} tasks in {loaded:.1f} s")
    if counters:
        started = time.perf_counter()
        with transaction.atomic():
            counters.install_counters(connection)
        print(
            f"installed triggers and backfilled counters in {time.perf_counter() - started:.1f} s"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _copy_postgres(count: int, now: datetime) -> None:
    events: list[list[Any]] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor
        columns = ", ".join(TASK_COLUMNS)
        with raw.copy(f"COPY scheduler_task ({columns}) FROM STDIN") as copy:
            for task, task_events in rows(count, now):
                copy.write_row(task)
                events += task_events
        columns = ", ".join(EVENT_COLUMNS)
        events.sort(key=lambda event: event[3])
        with raw.copy(f"COPY scheduler_task_event ({columns}) FROM STDIN") as copy:
            for event in events:
                copy.write_row(event)


def _insert_sqlite(count: int, now: datetime) -> None:
    def stored(value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            return value.hex
        if isinstance(value, datetime):
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        return value

    tasks: list[list[Any]] = []
    events: list[list[Any]] = []
    for task, task_events in rows(count, now):
        tasks.append([stored(value) for value in task])
        events += [[stored(value) for value in event] for event in task_events]
    events.sort(key=lambda event: event[3])
    with connection.cursor() as cursor:
        raw = cursor.connection
        marks = ", ".join("?" * len(TASK_COLUMNS))
        raw.executemany(
            f"INSERT INTO scheduler_task ({', '.join(TASK_COLUMNS)}) VALUES ({marks})", tasks
        )
        marks = ", ".join("?" * len(EVENT_COLUMNS))
        raw.executemany(
            f"INSERT INTO scheduler_task_event ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})",
            events,
        )


def pages() -> dict[str, str]:
    """The URLs to time, one per kind of page."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM scheduler_task WHERE status = 'failed' ORDER BY enqueued_at LIMIT 1"
        )
        (task_id,) = cursor.fetchone()
    task = uuid.UUID(str(task_id)) if connection.vendor == "postgresql" else uuid.UUID(task_id)
    return {
        "overview": "/",
        "overview day": "/?window=day",
        "queues": "/queues/",
        "tasks": "/tasks/",
        "tasks status=failed": "/tasks/?status=failed",
        "tasks queue=images": "/tasks/?queue=images",
        "tasks name": "/tasks/?name=demo.tasks.job7",
        "task detail": f"/tasks/{task}/",
        "metrics": "/metrics",
        "api queues": "/api/v1/queues",
    }


def timed(runs: int, explain: bool) -> dict[str, dict[str, float]]:
    """p50/p95 per page, in milliseconds, over `runs` requests after one warm-up."""
    settings.ALLOWED_HOSTS.append("testserver")
    # Each request would empty the captured query log as it starts.
    request_started.disconnect(reset_queries)
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    results: dict[str, dict[str, float]] = {}
    for label, url in pages().items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results[label] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            "queries": len(queries.captured_queries),
        }
        print(
            f"{label:22} p50 {results[label]['p50_ms']:8.1f} ms  "
            f"p95 {results[label]['p95_ms']:8.1f} ms  {len(queries.captured_queries)} queries"
        )
        if explain:
            _explain(queries.captured_queries)
    return results


def _explain(captured: list[dict[str, str]]) -> None:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for query in captured:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "django_session" in sql:
            continue
        print(f"    [{query['time']}s] {sql[:160]}")
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            for row in cursor.fetchall():
                print("        ", row[-1])


def main() -> None:
    """Load or time, as the command line says."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["load", "time"])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--explain", action="store_true")
    options = parser.parse_args()
    if options.command == "load":
        load(options.tasks)
        return
    results = timed(options.runs, options.explain)
    if options.json:
        options.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
