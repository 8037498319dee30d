"""The metrics rollup: per task name and queue, counts and duration histograms of each
stretch of time (a minute, compacted into quarter hours and hours as it ages), written by
the workers' maintenance pass from the task and error tables (docs/metrics.md)."""

from __future__ import annotations

from django.db import models


class TaskMetricsRow(models.Model):
    """What the tasks of one name in one queue did in one stretch of time."""

    id = models.BigAutoField(primary_key=True)
    # Unix time of the stretch's start, a multiple of its width (60, 900 or 3600 seconds).
    start = models.BigIntegerField()
    width = models.IntegerField()
    queue = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    succeeded = models.BigIntegerField(default=0)
    failed = models.BigIntegerField(default=0)
    cancelled = models.BigIntegerField(default=0)
    failed_attempts = models.BigIntegerField(default=0)
    run_seconds_sum = models.FloatField(default=0.0)
    # Bucket index (domain/duration_histogram.py) -> count, empty buckets left out.
    run_histogram = models.JSONField(default=dict)
    wait_seconds_sum = models.FloatField(default=0.0)
    wait_histogram = models.JSONField(default=dict)

    class Meta:
        db_table = "scheduler_task_metrics"
        verbose_name = "task metrics row"
        constraints = [
            # A stretch is stored once: compaction replaces its rows in one transaction.
            models.UniqueConstraint(
                fields=["queue", "name", "start"], name="sched_metrics_stretch_unique"
            ),
        ]
        indexes = [
            # A task name's page, and the overall list: rows of a window by start.
            models.Index(fields=["name", "start"], name="sched_metrics_name_idx"),
            # Compaction and retention: rows by age.
            models.Index(fields=["width", "start"], name="sched_metrics_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.queue}/{self.name} @ {self.start} ({self.width} s)"


class MetricsRollupState(models.Model):
    """One row: the Unix time up to which finished tasks are rolled up (exclusive)."""

    id = models.SmallIntegerField(primary_key=True, default=1)
    # NULL until the first pass, which starts at the oldest finished task kept.
    rolled_until = models.BigIntegerField(null=True)

    class Meta:
        db_table = "scheduler_metrics_rollup"
        verbose_name = "metrics rollup state"

    def __str__(self) -> str:
        return f"rolled up until {self.rolled_until}"
