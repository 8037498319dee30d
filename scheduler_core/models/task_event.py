"""The transition log: every state change of every task, for timelines and audits."""

from __future__ import annotations

from django.db import models

from .choices import TASK_STATUS_CHOICES
from .task import TaskRecord


class TaskEvent(models.Model):
    """One move of one task from a state to another: who, when, why."""

    id = models.BigAutoField(primary_key=True)
    # No index of its own: the first column of an index below serves the key's look-ups.
    # No constraint in the database either: a trigger deletes a task's log with the task
    # (migration 0026, which says why), and every log row is written with its task's row.
    task = models.ForeignKey(
        TaskRecord,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="events",
        db_index=False,
    )
    from_status = models.CharField(max_length=16, choices=TASK_STATUS_CHOICES)
    to_status = models.CharField(max_length=16, choices=TASK_STATUS_CHOICES)
    at = models.DateTimeField()
    attempt = models.IntegerField()
    actor = models.CharField(max_length=200)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "scheduler_task_event"
        verbose_name = "task event"
        ordering = ["task", "id"]
        indexes = [models.Index(fields=["task", "id"], name="sched_event_task_idx")]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status} by {self.actor}"
