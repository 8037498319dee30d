"""`manage.py runworkers`: run a worker pool that claims and executes tasks."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduler_core.bootstrap import services_from_settings
from scheduler_core.conf import scheduler_conf
from scheduler_core.domain import ScheduleInvalid
from scheduler_core.domain.liveness import heartbeat_interval
from scheduler_core.domain.queue_names import is_queue_name
from scheduler_core.executor.config import WorkerConfig
from scheduler_core.executor.connection_pool import connections_needed, fit_connection_pool
from scheduler_core.executor.patience import when_database_answers
from scheduler_core.executor.slot_server import fork_server
from scheduler_core.executor.supervisor import Supervisor
from scheduler_core.management.arguments import non_negative_seconds, positive_int, positive_seconds
from scheduler_core.schedules.declared import declared_schedules
from scheduler_core.task_backend.checks import SCHEDULER_CHECKS


def queue_list(text: str) -> tuple[str, ...]:
    """An argparse type: comma-separated queue names, in priority order, no repeats."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise argparse.ArgumentTypeError("name at least one queue")
    for name in names:
        if not is_queue_name(name):
            raise argparse.ArgumentTypeError(f"{name!r} is not a valid queue name")
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError("a queue is named twice")
    return names


class Command(BaseCommand):
    help = (
        "Run a worker: a supervisor that claims due tasks from the given queues in batches "
        "sized to its free slots and runs them in executor slots (child processes or "
        "threads). It sends heartbeats that keep its tasks' leases, rescues tasks whose "
        "worker died, enforces timeouts and cancellations, and records every attempt. "
        "Start any number of workers, on any number of machines sharing the database. "
        "SIGTERM or Ctrl-C drains: no new tasks, running ones finish within "
        "--shutdown-timeout, the rest are released for rescue, exit code 0. A second "
        "signal stops at once (exit code 1)."
    )
    # Only the scheduler's own checks: the whole set (URL configurations, the admin, every
    # app) took a third of a worker's start-up, and the web server and `migrate` run it.
    requires_system_checks = [SCHEDULER_CHECKS]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--concurrency",
            type=positive_int,
            default=4,
            help="executor slots: tasks run at once (default: %(default)s)",
        )
        parser.add_argument(
            "--queues",
            type=queue_list,
            default=("default",),
            help="comma-separated queues to serve (default: default)",
        )
        parser.add_argument(
            "--pool",
            choices=("process", "thread"),
            default="process",
            help="run tasks in child processes (killable on timeout/cancel) or in threads "
            "(lighter; a timed-out thread is abandoned, not killed) (default: %(default)s)",
        )
        parser.add_argument(
            "--max-tasks-per-child",
            type=positive_int,
            default=None,
            help="replace a slot process after this many tasks, returning its memory "
            "(process pool only; default: never)",
        )
        parser.add_argument(
            "--shutdown-timeout",
            type=non_negative_seconds,
            default=30.0,
            help="on SIGTERM/SIGINT, seconds to let running tasks finish before releasing "
            "them for rescue (default: %(default)s)",
        )
        parser.add_argument(
            "--worker-id",
            default="",
            help="this worker's id (default: <hostname>-<pid>-<random>)",
        )
        parser.add_argument("--hostname", default="", help="host name to report")
        parser.add_argument(
            "--lease",
            type=positive_int,
            default=scheduler_conf().lease.total_seconds(),
            help="seconds a claimed task stays this worker's without a heartbeat; heartbeats "
            "come every third of it (default: %(default)s, from SCHEDULER['LEASE_SECONDS'])",
        )
        parser.add_argument(
            "--maintenance-interval",
            type=positive_seconds,
            default=5.0,
            help="seconds between rescue, promotion and stale-worker passes (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["max_tasks_per_child"] and options["pool"] != "process":
            raise CommandError("--max-tasks-per-child needs --pool process")
        lease = timedelta(seconds=options["lease"])
        conf = scheduler_conf()
        fields: dict[str, Any] = {
            "queues": options["queues"],
            "concurrency": options["concurrency"],
            "pool": options["pool"],
            "max_tasks_per_child": options["max_tasks_per_child"],
            "shutdown_timeout": options["shutdown_timeout"],
            "worker_id": options["worker_id"],
            "lease": lease,
            "heartbeat_interval": heartbeat_interval(lease).total_seconds(),
            "maintenance_interval": options["maintenance_interval"],
            "database": conf.database if conf.storage == "django" else None,
        }
        if options["hostname"]:
            fields["hostname"] = options["hostname"]
        try:
            config = WorkerConfig(**fields)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if config.pool == "process":
            # Now: Django is set up, and no thread or connection is open yet.
            fork_server()
        if config.database is not None:
            fit_connection_pool(config.database, connections_needed(config))
        services = services_from_settings(lease=lease)
        # Every worker syncs on start; a sync changes only what the code changed since the last.
        try:
            when_database_answers(
                "syncing the declared schedules",
                lambda: services.schedules.sync(declared_schedules()),
            )
        except ScheduleInvalid as error:
            raise CommandError(f"a declared schedule is invalid: {error}") from error
        code = Supervisor(config, services).run()
        if code:
            sys.exit(code)
