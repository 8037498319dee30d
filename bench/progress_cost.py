"""What storing progress reports costs: their own write against riding another transaction.

Usage: DATABASE_URL=... python bench/progress_cost.py [--tasks 1,20] [--runs 300]

On an empty, migrated database, in one process: submit and claim N tasks as one worker,
then time, per batch of N reports (one per task, as the progress writer sends each
second):
- own: what the progress writer does: one fenced UPDATE of the N rows, in autocommit,
  stamped by the database's clock (its own round trip and commit);
- riding: the same statement inside a transaction that is open anyway (the outcome
  writer's or the heartbeat's), whose commit is paid for already.
Prints the median and 95th percentile in milliseconds.
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
from django.db import connection, transaction  # noqa: E402

from scheduler_core.bootstrap import build_services  # noqa: E402
from scheduler_core.domain.ports import SubmitRequest  # noqa: E402
from scheduler_core.domain.progress import Progress  # noqa: E402
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository  # noqa: E402
from scheduler_core.storage.progress_writes import store_progress  # noqa: E402

LEASE = timedelta(minutes=30)
WORKER = "bench-progress"


def claimed(count: int) -> list[tuple[object, int]]:
    """(task id, attempt) of `count` tasks the bench worker holds."""
    services = build_services("django", task_names=["bench.noop"])
    services.tasks.submit_many(
        [SubmitRequest(name="bench.noop", queue=f"progress-{count}") for _ in range(count)]
    )
    tasks = DjangoQueue(DjangoTaskRepository()).claim(WORKER, [f"progress-{count}"], count, LEASE)
    return [(task.id, task.attempt) for task in tasks]


def own(held: list[tuple[object, int]], report: Progress) -> float:
    began = time.perf_counter()
    store_progress("default", WORKER, [(task_id, attempt, report) for task_id, attempt in held])  # type: ignore[misc]
    return time.perf_counter() - began


def riding(held: list[tuple[object, int]], report: Progress) -> float:
    with transaction.atomic():
        # The other write the transaction carries; its commit is paid for by that write.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return own(held, report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="1,20")
    parser.add_argument("--runs", type=int, default=300)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"engine: {connection.vendor}")
    for count in (int(n) for n in options.tasks.split(",")):
        held = claimed(count)
        for name, write in (("own", own), ("riding", riding)):
            times = sorted(
                write(held, Progress.reported(run, options.runs, f"step {run}")) * 1000
                for run in range(options.runs)
            )
            median = statistics.median(times)
            p95 = times[int(len(times) * 0.95)]
            print(
                f"{count:>3} reports/batch  {name:<6}  median {median:6.3f} ms  p95 {p95:6.3f} ms"
                f"  ({median / count:6.3f} ms per report)"
            )


if __name__ == "__main__":
    main()
