"""Workflow runs and the edges between their steps (the steps are rows of the task table)."""

from __future__ import annotations

import uuid

from django.db import models

from .task import TaskRecord


class WorkflowRunRecord(models.Model):
    """One enqueued run of a workflow; its status is read from its steps, never stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "scheduler_workflow"
        verbose_name = "workflow run"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="sched_workflow_list_idx"),
            models.Index(fields=["name", "-created_at"], name="sched_workflow_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id}"


class WorkflowEdgeRecord(models.Model):
    """`child` waits for `parent`; `resolved` once the parent's outcome has been counted.

    Consuming `resolved` (false to true) in the statement that counts the outcome is what
    makes a replayed or concurrent outcome count once.
    """

    # No index of its own: the first column of an index below serves the key's look-ups.
    parent = models.ForeignKey(
        TaskRecord, on_delete=models.DB_CASCADE, related_name="+", db_index=False
    )
    child = models.ForeignKey(TaskRecord, on_delete=models.DB_CASCADE, related_name="+")
    ignore_failure = models.BooleanField(default=False)
    resolved = models.BooleanField(default=False)

    class Meta:
        db_table = "scheduler_workflow_edge"
        verbose_name = "workflow edge"
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="sched_wf_edge_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.parent_id} -> {self.child_id}"
