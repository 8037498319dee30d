"""Per-queue concurrency limits: claims keep each listed queue's running tasks at its limit."""

from __future__ import annotations

from django.db import models


class QueueLimit(models.Model):
    """At most `max_running` tasks of `queue` run at once across all workers.

    On PostgreSQL the claim locks this row, which makes claimers of a limited queue take
    turns; queues without a row keep the lock-free claim.
    """

    queue = models.CharField(primary_key=True, max_length=100)
    max_running = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "scheduler_queue_limit"
        verbose_name = "queue concurrency limit"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_running__gte=1), name="sched_queue_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue} (at most {self.max_running} running)"
