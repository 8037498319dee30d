"""What the counter triggers cost the write path: the same work with and without them.

Usage: DATABASE_URL=... python bench/counter_cost.py [--tasks 5000] [--runs 3] [--batch 100]
       [--raw]

On an empty, migrated database, in one process: bulk submit N tasks, then claim them in
batches and complete each one through the worker service (one fenced update and one log
row per task, as a worker does), first with the triggers dropped, then installed. Prints
tasks per second (median of the runs) for each phase and the difference.

`--raw` times the bare statements instead, a transaction per batch: multi-row inserts of 1,000 rows,
claim-shaped updates of `batch` rows with their log rows, and complete-shaped updates of
one row with its log row.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from scheduler_core.bootstrap import build_services  # noqa: E402
from scheduler_core.domain.ports import SubmitRequest  # noqa: E402
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository  # noqa: E402
from scheduler_core.storage.counters import install_counters, uninstall_counters  # noqa: E402

LEASE = timedelta(minutes=5)


def one_run(tasks: int, batch: int) -> tuple[float, float, float]:
    """Tasks per second of bulk submit, of claim alone, and of claim + complete."""
    services = build_services("django", task_names=["bench.noop"])
    queue = DjangoQueue(DjangoTaskRepository())
    requests = [SubmitRequest(name="bench.noop", queue="bench") for _ in range(tasks)]
    started = time.perf_counter()
    for first in range(0, tasks, 1000):
        services.tasks.submit_many(requests[first : first + 1000])
    submit = tasks / (time.perf_counter() - started)
    claim_time = 0.0
    started = time.perf_counter()
    done = 0
    while done < tasks:
        before = time.perf_counter()
        claimed = queue.claim("bench-worker", ["bench"], batch, LEASE)
        claim_time += time.perf_counter() - before
        for task in claimed:
            services.workers.complete(task, None)
        done += len(claimed)
    drain = tasks / (time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM scheduler_task")
    return submit, tasks / claim_time, drain


RAW_INSERT = (
    "INSERT INTO scheduler_task (id, name, args, kwargs, queue, priority, status, attempt, "
    "max_attempts, run_after, enqueued_at, worker_ids, cancel_requested) VALUES {}"
)
RAW_ROW = "(%s, 'bench.noop', '[]', '{}', 'bench', 0, 'ready', 0, 3, %s, %s, '[]', false)"
RAW_MOVE = "UPDATE scheduler_task SET status = %s, attempt = 1, started_at = %s WHERE id IN ({})"
RAW_EVENT = (
    "INSERT INTO scheduler_task_event (task_id, from_status, to_status, at, attempt, actor, "
    "reason) VALUES {}"
)
RAW_EVENT_ROW = "(%s, %s, %s, %s, 1, 'bench', '')"


def _rows(template: str, count: int) -> str:
    return ", ".join([template] * count)


def raw_run(tasks: int, batch: int) -> tuple[float, float, float]:
    """Rows per second of a bulk insert, of claim-shaped and of complete-shaped writes."""
    import uuid
    from datetime import UTC, datetime

    from django.db import transaction

    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(tasks)]
    stored = [connection.ops.adapt_datetimefield_value(now)] * 2
    keys = [task_id.hex if connection.vendor == "sqlite" else task_id for task_id in ids]
    # A transaction per batch, as the services commit: many updates of one counter row in a
    # single transaction would pile up row versions that a commit lets PostgreSQL prune.
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for first in range(0, tasks, 1000):
            with transaction.atomic():
                chunk = keys[first : first + 1000]
                params = [value for key in chunk for value in (key, *stored)]
                cursor.execute(RAW_INSERT.format(_rows(RAW_ROW, len(chunk))), params)
        insert = tasks / (time.perf_counter() - started)
        started = time.perf_counter()
        for first in range(0, tasks, batch):
            chunk = keys[first : first + batch]
            sql = RAW_MOVE.format(", ".join(["%s"] * len(chunk)))
            with transaction.atomic():
                cursor.execute(sql, ["running", stored[0], *chunk])
                params = [v for key in chunk for v in (key, "ready", "running", stored[0])]
                cursor.execute(RAW_EVENT.format(_rows(RAW_EVENT_ROW, len(chunk))), params)
        claim = tasks / (time.perf_counter() - started)
        started = time.perf_counter()
        for key in keys:
            with transaction.atomic():
                cursor.execute(RAW_MOVE.format("%s"), ["succeeded", stored[0], key])
                cursor.execute(
                    RAW_EVENT.format(RAW_EVENT_ROW), [key, "running", "succeeded", stored[0]]
                )
        complete = tasks / (time.perf_counter() - started)
        cursor.execute("DELETE FROM scheduler_task")
    return insert, claim, complete


def main() -> None:
    """Both modes, alternated run by run so machine load hits them alike."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--raw", action="store_true")
    options = parser.parse_args()
    run = raw_run if options.raw else one_run
    call_command("migrate", verbosity=0)
    results: dict[str, list[tuple[float, float, float]]] = {"without": [], "with": []}
    for _ in range(options.runs):
        for mode in ("without", "with"):
            if mode == "with":
                install_counters(connection)
            else:
                uninstall_counters(connection)
            results[mode].append(run(options.tasks, options.batch))
    print(f"{connection.vendor}, {options.tasks} tasks, claim batch {options.batch}")
    names = ("bulk submit", "claim", "claim + complete")
    if options.raw:
        names = ("raw insert", "raw claim", "raw complete")
    for index, name in enumerate(names):
        without = statistics.median(run[index] for run in results["without"])
        with_ = statistics.median(run[index] for run in results["with"])
        change = (with_ - without) / without * 100
        print(f"  {name:18} without {without:9.0f}/s   with {with_:9.0f}/s   {change:+6.1f}%")
    install_counters(connection)


if __name__ == "__main__":
    main()
