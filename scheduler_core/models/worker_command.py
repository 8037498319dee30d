"""Commands operators leave for workers (quiet, stop); each worker reads its own row."""

from __future__ import annotations

from django.db import models

from scheduler_core.domain.worker_commands import WorkerCommand


class WorkerCommandRecord(models.Model):
    """The latest command for one worker: a new one replaces it."""

    # No foreign key: a command may outlive the worker's row (pruned) harmlessly.
    worker_id = models.CharField(primary_key=True, max_length=200)
    command = models.CharField(max_length=16, choices=[(c.value, c.value) for c in WorkerCommand])
    asked_by = models.CharField(max_length=150)
    asked_at = models.DateTimeField()
    obeyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "scheduler_worker_command"
        verbose_name = "worker command"

    def __str__(self) -> str:
        return f"{self.command} for {self.worker_id}"
