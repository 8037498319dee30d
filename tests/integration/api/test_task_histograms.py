"""/metrics per task name and queue: the last hour's histograms and counts, equal to what
the task and error tables hold, whether the rollup has run or not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import duration_histogram as hist
from scheduler_core.storage.db_clock import DatabaseClock
from scheduler_core.storage.metrics_rollup import DjangoMetricsRollup
from tests.integration.storage.metrics_history import write_history

from .test_metrics import _scrape

AGES = [timedelta(minutes=m) for m in (1, 4, 20, 40, 58, 75, 200)]


@pytest.mark.parametrize("rolled", [True, False], ids=["rolled-up", "on-read"])
def test_per_task_figures_of_the_last_hour(services: Services, alias: str, rolled: bool) -> None:
    history, errors = write_history(alias, AGES)
    if rolled:
        DjangoMetricsRollup(alias).roll_up()
    found = _scrape(Client())
    # The scrape's hour starts on the minute 59 minutes before the current one.
    recent = [t for t in history if t.finished_at.timestamp() >= _hour_start(alias)]
    recent_errors = [e for e in errors if e[2].timestamp() >= _hour_start(alias)]
    for queue in ("default", "mail"):
        for name in ("demo.add", "demo.sleep"):
            labels = (("name", name), ("queue", queue))
            mine = [t for t in recent if (t.queue, t.name) == (queue, name)]
            timed = [t for t in mine if t.status != "cancelled"]
            for status in ("succeeded", "failed", "cancelled"):
                finished = ("scheduler_task_finished_last_hour", (*labels, ("status", status)))
                assert found.get(finished, 0) == sum(1 for t in mine if t.status == status)
            failed = sum(1 for e in recent_errors if (e[1], e[0]) == (queue, name))
            assert found.get(("scheduler_task_failed_attempts_last_hour", labels), 0) == failed
            for bound in hist.PROMETHEUS_BOUNDS:
                bucket = (
                    "scheduler_task_run_seconds_by_task_bucket",
                    tuple(sorted((*labels, ("le", str(bound))))),
                )
                expected = sum(1 for t in timed if hist.bucket_of(t.run) <= hist.bucket_of(bound))
                assert found.get(bucket, 0) == expected
            gcount = ("scheduler_task_queue_wait_seconds_by_task_gcount", labels)
            assert found.get(gcount, 0) == len(timed)


def _hour_start(alias: str) -> int:
    now = int(DatabaseClock(alias).now().timestamp())
    return now // 60 * 60 - 3540
