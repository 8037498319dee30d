"""The worker table: one row per worker process, stamped by its heartbeats."""

from __future__ import annotations

from django.db import models

from .choices import WORKER_STATE_CHOICES


class WorkerRecord(models.Model):
    """A worker process and its last sign of life."""

    id = models.CharField(primary_key=True, max_length=200)
    hostname = models.CharField(max_length=255)
    pid = models.IntegerField()
    queues = models.JSONField(default=list)
    concurrency = models.IntegerField()
    started_at = models.DateTimeField()
    last_heartbeat = models.DateTimeField()
    state = models.CharField(max_length=16, choices=WORKER_STATE_CHOICES)
    # Reported by each heartbeat: attempts this process finished (succeeded or raised),
    # those that raised, and the resident memory of the process and its slots.
    processed = models.BigIntegerField(default=0, db_default=0)
    failed = models.BigIntegerField(default=0, db_default=0)
    rss_bytes = models.BigIntegerField(null=True, blank=True)

    class Meta:
        db_table = "scheduler_worker"
        verbose_name = "worker"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["state", "last_heartbeat"], name="sched_worker_alive_idx")]

    def __str__(self) -> str:
        return f"{self.id} [{self.state}]"
