"""`python -m chaos chaos|soak [options]`: a chaos or soak run on a database of its own."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import django

from . import database
from .execlog import LOG_VARIABLE
from .faults import NEW_KINDS
from .processes import ROOT
from .scenario import LONG_SECONDS


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    chaos = sub.add_parser("chaos", help="tasks of every kind, workers killed, checked after")
    chaos.add_argument("--tasks", type=int, default=50_000)
    chaos.add_argument(
        "--duration",
        type=float,
        default=300,
        help="most seconds of chaos; it ends sooner once every task has finished",
    )
    chaos.add_argument("--drain-timeout", type=float, default=900)
    chaos.add_argument("--workers", type=int, default=4)
    chaos.add_argument("--concurrency", type=int, default=4)
    chaos.add_argument("--lease", type=int, default=10)
    chaos.add_argument("--kill-every", type=float, default=4)
    chaos.add_argument("--terminate-every", type=float, default=10)
    chaos.add_argument("--no-restart", action="store_true", help="do not restart PostgreSQL")
    chaos.add_argument("--restart-at", type=float, default=60, help="seconds into the chaos")
    chaos.add_argument("--tick-seconds", type=int, default=3)
    chaos.add_argument("--seed", type=int, default=0)
    chaos.add_argument(
        "--faults",
        default=",".join(NEW_KINDS),
        help="the new faults, taken in turn: " + ", ".join(NEW_KINDS) + " ('' for none; "
        "partition needs PostgreSQL, root and ip netns)",
    )
    chaos.add_argument(
        "--fault-every", type=float, default=15, help="seconds between two of the new faults"
    )
    chaos.add_argument(
        "--long-share", type=float, default=0.02, help="share of long tasks in the mix"
    )
    chaos.add_argument(
        "--long-seconds",
        type=float,
        default=LONG_SECONDS,
        help=f"most seconds a long task runs (at least 5; default {LONG_SECONDS:g})",
    )
    soak = sub.add_parser("soak", help="many quick tasks; memory and connections stay flat")
    soak.add_argument("--tasks", type=int, default=200_000)
    soak.add_argument("--workers", type=int, default=2)
    soak.add_argument("--concurrency", type=int, default=4)
    soak.add_argument("--sample-every", type=float, default=5)
    soak.add_argument("--rss-growth-mb", type=float, default=20)
    soak.add_argument(
        "--connection-growth",
        type=int,
        default=None,
        help="connections allowed above the warm-up count (default: one per worker, for the "
        "LISTEN connection a worker opens when it first finds the queue empty)",
    )
    soak.add_argument("--timeout", type=float, default=3600)
    for each in (chaos, soak):
        each.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
        each.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def main() -> int:
    """Create the run's database, migrate it, run, drop it; the run's exit code."""
    options = arguments()
    unknown = set(getattr(options, "faults", "").split(",")) - {"", *NEW_KINDS}
    if unknown:
        print(f"unknown faults: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    kind = "sqlite" if options.database == "sqlite" else "postgres"
    run_database = database.create(kind, options.command)
    logs = Path(tempfile.mkdtemp(prefix=f"{options.command}-logs-"))
    print(f"database {run_database.url}; logs in {logs}", flush=True)
    os.environ.update(
        DATABASE_URL=run_database.url,
        # Every execution of every worker appends to this one file (chaos/execlog.py).
        **{LOG_VARIABLE: str(logs / "executions.log")},
        DJANGO_SETTINGS_MODULE="chaos.settings",
        CHAOS_TICK_SECONDS=str(getattr(options, "tick_seconds", 3)),
        LOG_LEVEL="WARNING",
        CHAOS_SCHEDULE="1" if options.command == "chaos" else "0",
    )
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
        )
        django.setup()
        # The runner cuts its own pooled connections on purpose; one warning per dead one
        # would bury the report.
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
        if options.command == "chaos":
            from .runner import ChaosRun, Options

            return ChaosRun(
                Options(
                    tasks=options.tasks,
                    duration=options.duration,
                    drain_timeout=options.drain_timeout,
                    workers=options.workers,
                    concurrency=options.concurrency,
                    lease=options.lease,
                    kill_every=options.kill_every,
                    terminate_every=options.terminate_every,
                    restart_postgres=not options.no_restart,
                    restart_at=options.restart_at,
                    seed=options.seed,
                    logs=logs,
                    faults=tuple(kind for kind in options.faults.split(",") if kind),
                    fault_every=options.fault_every,
                    long_share=options.long_share,
                    long_seconds=options.long_seconds,
                ),
                run_database,
            ).run()
        from .soak import Soak, SoakOptions

        return Soak(
            SoakOptions(
                tasks=options.tasks,
                workers=options.workers,
                concurrency=options.concurrency,
                sample_every=options.sample_every,
                rss_growth_mb=options.rss_growth_mb,
                connection_growth=options.connection_growth,
                timeout=options.timeout,
                logs=logs,
            ),
            run_database,
        ).run()
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            run_database.drop()


if __name__ == "__main__":
    sys.exit(main())
