"""Per-queue rate limits: the rate and its token bucket, one row per rated queue."""

from __future__ import annotations

from django.db import models


class QueueRateRecord(models.Model):
    """At most `max_starts` task starts of `queue` per `per`, across all workers.

    The row is also the queue's token bucket (`tokens` as of `refilled_at`): the claim locks
    it, refills it for the time passed, takes a token per task and writes it back in the
    claim's transaction. Queues without a row never read or lock it.
    """

    queue = models.CharField(primary_key=True, max_length=100)
    max_starts = models.PositiveIntegerField()
    per = models.CharField(max_length=10, choices=[("second", "second"), ("minute", "minute")])
    # A keyword argument whose values get a bucket each; blank for one bucket per queue.
    partition_by = models.CharField(max_length=100, blank=True, default="")
    tokens = models.FloatField()
    refilled_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "scheduler_queue_rate"
        verbose_name = "queue rate limit"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_starts__gte=1), name="sched_queue_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue} (at most {self.max_starts} starts per {self.per})"


class QueueRateBucket(models.Model):
    """The token bucket of one partition of a partitioned rate (QueueRateRecord.partition_by).

    Written by the claim, under the lock of its queue's rate row; a bucket untouched for a
    whole period is full again, and the claim deletes it rather than keep it.
    """

    queue = models.CharField(max_length=100)
    # The keyword argument's value as text ("" when the task has none).
    partition = models.CharField(max_length=200)
    tokens = models.FloatField()
    refilled_at = models.DateTimeField()

    class Meta:
        db_table = "scheduler_queue_rate_bucket"
        verbose_name = "queue rate bucket"
        constraints = [
            models.UniqueConstraint(fields=["queue", "partition"], name="sched_rate_bucket_key"),
        ]

    def __str__(self) -> str:
        return f"{self.queue} [{self.partition}]: {self.tokens:.2f} tokens"
