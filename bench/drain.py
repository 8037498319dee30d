"""Drain benchmark: N no-op tasks already queued, K worker processes, time until all ran.

Usage: python bench/drain.py --database sqlite|postgres --tasks 10000 --workers 1 [--json F]

Each run uses a fresh database (a temporary SQLite file, or a new PostgreSQL database on
the server named by BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres)
and reports tasks per second from the first worker start to the last success, plus the
workers' resident memory (supervisor and slot processes) once started and at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def descendants(pid: int) -> list[int]:
    """The process and every process below it (slots are children of the forkserver)."""
    found = [pid]
    for each in found:
        for task in Path(f"/proc/{each}/task").glob("*"):
            children = task / "children"
            if children.exists():
                found += [int(child) for child in children.read_text().split()]
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of a worker: the supervisor and all its descendants, in MB."""
    total = 0
    for each in descendants(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def succeeded(url: str) -> int:
    """How many tasks have succeeded, read without starting Python or Django.

    Polling through a Django process would cost a core-second per poll on a 2-core
    machine and slow the workers being measured.
    """
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as connection:
            row = connection.execute(SUCCEEDED_SQL).fetchone()
        return int(row[0])
    out = subprocess.run(["psql", url, "-Atc", SUCCEEDED_SQL], check=True, capture_output=True)
    return int(out.stdout)


SUCCEEDED_SQL = "SELECT count(*) FROM scheduler_task WHERE status = 'succeeded'"


def manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command to completion; its output."""
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def main() -> None:
    """Run one drain and print (and optionally save) its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dashboard.settings", "PYTHONPATH": str(ROOT)}
    cleanup = None
    if options.database == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        name = f"bench_{uuid.uuid4().hex[:8]}"
        subprocess.run(["psql", server, "-qc", f"CREATE DATABASE {name}"], check=True)
        env["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/" + name
        cleanup = ["psql", server, "-qc", f"DROP DATABASE {name} WITH (FORCE)"]
    try:
        manage(env, "migrate", "--noinput", "-v0")
        subprocess.run([PYTHON, "-c", SUBMIT, str(options.tasks)], cwd=ROOT, env=env, check=True)
        started = time.monotonic()
        workers = [
            subprocess.Popen(
                [PYTHON, "manage.py", "runworkers", "--concurrency", str(options.concurrency)],
                cwd=ROOT,
                env={**env, "DJANGO_LOG_LEVEL": "WARNING"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(options.workers)
        ]
        time.sleep(2)
        rss_start = sum(rss_mb(w.pid) for w in workers)
        while succeeded(env["DATABASE_URL"]) < options.tasks:
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        rss_end = sum(rss_mb(w.pid) for w in workers)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
    finally:
        if cleanup:
            subprocess.run(cleanup, check=False)
    record = {
        "workload": "drain",
        "database": options.database,
        "tasks": options.tasks,
        "workers": options.workers,
        "concurrency": options.concurrency,
        "seconds": round(elapsed, 2),
        "tasks_per_second": round(options.tasks / elapsed),
        "rss_mb_start": round(rss_start, 1),
        "rss_mb_end": round(rss_end, 1),
        "cores": os.cpu_count(),
    }
    print(json.dumps(record))
    if options.json:
        options.json.write_text(json.dumps(record, indent=2))


SUBMIT = """
import sys, django
django.setup()
from scheduler_core.bootstrap import get_services
from scheduler_core.domain.ports import SubmitRequest
n = int(sys.argv[1])
scheduler = get_services().scheduler
for start in range(0, n, 1000):
    size = min(1000, n - start)
    scheduler.submit_many([SubmitRequest(name="demo.tasks.noop") for _ in range(size)])
"""

if __name__ == "__main__":
    main()
