"""Per-attempt errors, kept out of the task row so the hot table stays narrow."""

from __future__ import annotations

from django.db import models

from .task import TaskRecord


class TaskErrorRecord(models.Model):
    """The exception one attempt of a task raised (or the worker-lost verdict)."""

    # The database deletes a task's errors with it: pruning never loads them into Python.
    # No index of its own: the first column of an index below serves the key's look-ups.
    task = models.ForeignKey(
        TaskRecord, on_delete=models.DB_CASCADE, related_name="error_records", db_index=False
    )
    attempt = models.IntegerField()
    exception_type = models.CharField(max_length=300)
    message = models.TextField()
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField()
    worker_id = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
        db_table = "scheduler_task_error"
        verbose_name = "task error"
        ordering = ["task", "attempt", "id"]
        indexes = [
            models.Index(fields=["task", "attempt"], name="sched_error_task_idx"),
            # The failures page and its groups' task filters: the errors of a recent window.
            models.Index(fields=["failed_at"], name="sched_error_failed_idx"),
            # The task list filtered to an error type (a failures group's link): the tasks
            # of one type since a moment, read from the index alone.
            models.Index(
                fields=["exception_type", "failed_at", "task"], name="sched_error_type_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.attempt}: {self.exception_type}"
