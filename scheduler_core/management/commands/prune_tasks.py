"""`manage.py prune_tasks`: delete finished tasks past their retention period."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from scheduler_core.bootstrap import get_services
from scheduler_core.conf import scheduler_conf
from scheduler_core.management.arguments import non_negative_days, positive_int
from scheduler_core.services.pruner import DEFAULT_PRUNE_BATCH_SIZE


class Command(BaseCommand):
    help = (
        "Delete finished tasks (with their errors and transition logs) past their retention: "
        "succeeded and cancelled tasks after --days, failed ones after --failed-days. "
        "Tasks that are waiting or running are never deleted. The dashboard's per-minute "
        "activity (its charts) goes after --activity-days. Defaults come from "
        'settings.SCHEDULER["RETENTION"]. Deletes in batches, so it is safe to run while '
        "workers run; schedule it daily (cron, or a periodic task)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        retention = scheduler_conf().retention
        parser.add_argument(
            "--days",
            type=non_negative_days,
            default=retention.succeeded_days,
            help="keep succeeded and cancelled tasks this many days (default: %(default)s)",
        )
        parser.add_argument(
            "--failed-days",
            type=non_negative_days,
            default=retention.failed_days,
            help="keep failed tasks this many days (default: %(default)s)",
        )
        parser.add_argument(
            "--activity-days",
            type=non_negative_days,
            default=retention.activity_days,
            help="keep the per-minute activity behind the overview's charts this many days "
            "(default: %(default)s)",
        )
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=DEFAULT_PRUNE_BATCH_SIZE,
            help="delete at most this many tasks per statement (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["failed_days"] < options["days"]:
            raise CommandError("--failed-days must be at least --days: failures are kept longer")
        report = get_services().pruner.prune(
            succeeded_after=timedelta(days=options["days"]),
            failed_after=timedelta(days=options["failed_days"]),
            activity_after=timedelta(days=options["activity_days"]),
            batch_size=options["batch_size"],
        )
        self.stdout.write(
            f"Deleted {report.deleted} finished tasks: {report.succeeded_or_cancelled} "
            f"succeeded or cancelled (older than {options['days']} days), {report.failed} "
            f"failed (older than {options['failed_days']} days); {report.activity_minutes} "
            f"rows of per-minute activity (older than {options['activity_days']} days); "
            f"{report.results_expired} results dropped as their result_ttl ran out."
        )
