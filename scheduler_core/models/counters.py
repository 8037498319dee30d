"""Counts kept by database triggers, so pages and /metrics never count a big table.

Triggers on the task table and the transition log (installed by migration 0008, SQL in
scheduler_core/storage/counters/) keep these rows exact inside every writing transaction.
On PostgreSQL each connection writes its own shard (its backend pid modulo SHARDS), so
concurrent writers do not queue for one hot row; readers add the shards up. SQLite has one
writer at a time and uses shard 0 only. See docs/counters.md.
"""

from __future__ import annotations

from django.db import models

from .choices import TASK_STATUS_CHOICES

# Shards per counter on PostgreSQL; readers sum over them, writers touch their own.
SHARDS = 16


class QueueCount(models.Model):
    """How many tasks of `queue` are in `status` (one shard's share of it)."""

    pk = models.CompositePrimaryKey("queue", "status", "shard")
    queue = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=TASK_STATUS_CHOICES)
    shard = models.SmallIntegerField()
    # A shard's share may be negative (a task counted in by one connection, out by another).
    n = models.BigIntegerField()

    class Meta:
        db_table = "scheduler_queue_count"
        verbose_name = "queue count"

    def __str__(self) -> str:
        return f"{self.queue} {self.status} [{self.shard}]: {self.n}"


class ActivityMinute(models.Model):
    """What the transition log recorded for `queue` in one minute (one shard's share)."""

    pk = models.CompositePrimaryKey("minute", "queue", "shard")
    # Unix time of the minute's start, a multiple of 60.
    minute = models.BigIntegerField()
    queue = models.CharField(max_length=100)
    shard = models.SmallIntegerField()
    started = models.BigIntegerField(db_default=0)
    succeeded = models.BigIntegerField(db_default=0)
    # Attempts that ended in an error: moves from running into retrying or failed.
    failed_attempts = models.BigIntegerField(db_default=0)
    # Tasks that failed for good: moves into failed.
    failed = models.BigIntegerField(db_default=0)
    cancelled = models.BigIntegerField(db_default=0)
    # Waits of started attempts, from when they fell due (run_after) to their start.
    wait_count = models.BigIntegerField(db_default=0)
    wait_seconds_sum = models.FloatField(db_default=0.0)
    wait_seconds_max = models.FloatField(null=True)

    class Meta:
        db_table = "scheduler_activity_minute"
        verbose_name = "activity minute"

    def __str__(self) -> str:
        return f"{self.queue} @ {self.minute} [{self.shard}]"


class TaskTotals(models.Model):
    """Running totals since the counters were installed (one shard's share): never drop."""

    shard = models.SmallIntegerField(primary_key=True)
    enqueued = models.BigIntegerField(db_default=0)
    started = models.BigIntegerField(db_default=0)
    succeeded = models.BigIntegerField(db_default=0)
    failed = models.BigIntegerField(db_default=0)
    retried = models.BigIntegerField(db_default=0)
    cancelled = models.BigIntegerField(db_default=0)
    rescued = models.BigIntegerField(db_default=0)

    class Meta:
        db_table = "scheduler_task_totals"
        verbose_name = "task totals"

    def __str__(self) -> str:
        return f"totals [{self.shard}]"
