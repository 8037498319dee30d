"""The task table: one row per task, kept small enough to stay hot in cache."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Value

from .choices import DELAYED_VALUES, TASK_STATUS_CHOICES, live, not_for_claims, waiting
from .exact_json import ExactJSONEncoder

# Indexes that SQLite statements name (INDEXED BY): without statistics, which SQLite never
# gathers unless told to, its planner took other indexes and sorted the whole backlog.
CLAIM_INDEX = "sched_task_claim_idx"
DELAYED_INDEX = "sched_task_delayed_idx"
WAITING_INDEX = "sched_task_waiting_idx"


class TaskRecord(models.Model):
    """A stored task; the domain's Task is mapped to and from it in storage/mapping.py."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    args = models.JSONField(encoder=ExactJSONEncoder, default=list)
    kwargs = models.JSONField(encoder=ExactJSONEncoder, default=dict)
    queue = models.CharField(max_length=100, default="default")
    priority = models.SmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=TASK_STATUS_CHOICES)
    attempt = models.IntegerField(default=0)
    max_attempts = models.IntegerField(default=3)
    run_after = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=200, null=True, blank=True)
    worker_ids = models.JSONField(default=list)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(encoder=ExactJSONEncoder, null=True, blank=True)
    timeout = models.FloatField(null=True, blank=True)
    unique_key = models.CharField(max_length=255, null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    # When the current attempt's code began to run; NULL while its claim waits to start.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    # Claims given back because their attempt never started (Task.rescue).
    dropped_claims = models.SmallIntegerField(default=0, db_default=0)
    # The workflow run this task is a step of, and its key there (docs/workflows.md).
    workflow_id = models.UUIDField(null=True, blank=True)
    step_key = models.CharField(max_length=100, null=True, blank=True)
    # While blocked: the parents yet to succeed. Counted down by the release statement.
    parents_left = models.IntegerField(default=0, db_default=0)
    # The key of the step whose failure cancelled this one.
    upstream_failed = models.CharField(max_length=100, null=True, blank=True)
    # Labels to find the task by (domain/tags.py). PostgreSQL finds them by a GIN index;
    # SQLite by the side table scheduler_task_tag, kept by triggers (migration 0019).
    tags = models.JSONField(default=list, db_default=Value([], output_field=models.JSONField()))
    # Seconds the result is kept after the task finished; the pruner then drops it.
    result_ttl = models.PositiveIntegerField(null=True, blank=True)
    # The pruner dropped the result when its result_ttl ran out (get_result says so).
    result_expired = models.BooleanField(default=False, db_default=False)
    # When the first attempt was claimed (started_at is the latest attempt's).
    first_started_at = models.DateTimeField(null=True, blank=True)
    # The run_after its submitter asked for; NULL when it was due at once.
    requested_run_after = models.DateTimeField(null=True, blank=True)
    # How often the task snoozed (scheduler_core.Snooze).
    snoozes = models.SmallIntegerField(default=0, db_default=0)
    # The latest progress its running code reported: {"done", "total", "message", "at"}.
    progress = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "scheduler_task"
        verbose_name = "task"
        ordering = ["-enqueued_at", "-id"]
        # The operator roles (viewer, operator, admin groups) are built from these; see
        # migration 0003_roles and docs/api.md.
        permissions = [
            ("submit_task", "Can submit tasks"),
            ("cancel_task", "Can cancel tasks"),
            ("retry_task", "Can retry tasks"),
            ("run_task_now", "Can run scheduled tasks now"),
            ("delete_task", "Can delete finished tasks"),
            ("pause_queue", "Can pause and resume queues"),
            ("manage_schedules", "Can manage periodic schedules"),
        ]
        indexes = [
            # The claim: due waiting rows of a queue in priority, run_after, id order.
            models.Index(
                "queue",
                models.F("priority").desc(),
                "run_after",
                "id",
                name=CLAIM_INDEX,
                condition=waiting(),
            ),
            # Oldest due task per queue (dashboard, API, /metrics): the first entry of a
            # queue is its waiting row with the smallest run_after, one seek per queue.
            # Never the claim's (choices.not_for_claims): it would sort every due row.
            models.Index(
                "queue",
                "run_after",
                name=WAITING_INDEX,
                condition=waiting() & not_for_claims(),
            ),
            # The promoter: delayed rows (scheduled, or backing off) by when they fall due.
            models.Index(
                "run_after",
                "id",
                name=DELAYED_INDEX,
                condition=models.Q(status__in=DELAYED_VALUES),
            ),
            # The rescuer: running rows by lease expiry.
            models.Index(
                fields=["lease_expires_at"],
                name="sched_task_lease_idx",
                condition=models.Q(status="running"),
            ),
            # Queue concurrency limits: running rows per queue, counted on every limited claim.
            models.Index(
                fields=["queue"],
                name="sched_task_running_queue_idx",
                condition=models.Q(status="running"),
            ),
            # Keyset pages of the task list, unfiltered and by each dashboard filter.
            models.Index(fields=["-enqueued_at", "-id"], name="sched_task_list_idx"),
            models.Index(fields=["status", "-enqueued_at", "-id"], name="sched_task_status_idx"),
            models.Index(fields=["queue", "-enqueued_at", "-id"], name="sched_task_queue_idx"),
            models.Index(fields=["name", "-enqueued_at", "-id"], name="sched_task_name_idx"),
            models.Index(fields=["worker_id", "-enqueued_at"], name="sched_task_worker_idx"),
            # A workflow run's steps by status: its counts, and the run list's status filter.
            models.Index(
                "workflow_id",
                "status",
                name="sched_task_workflow_idx",
                condition=models.Q(workflow_id__isnull=False),
            ),
            # Result expiry: finished rows whose result is still kept for a while.
            models.Index(
                fields=["finished_at"],
                name="sched_task_result_ttl_idx",
                condition=models.Q(
                    finished_at__isnull=False, result_ttl__isnull=False, result_expired=False
                ),
            ),
            # Retention: finished rows by age.
            models.Index(
                fields=["finished_at"],
                name="sched_task_finished_idx",
                condition=models.Q(finished_at__isnull=False),
            ),
        ]
        constraints = [
            # A run's steps by key; also how a run's steps are found.
            models.UniqueConstraint(
                fields=["workflow_id", "step_key"],
                name="sched_task_workflow_step",
                condition=models.Q(workflow_id__isnull=False),
            ),
            # At most one live task per unique key; finished tasks free the key again.
            models.UniqueConstraint(
                fields=["unique_key"],
                name="sched_task_live_unique_key",
                condition=live() & models.Q(unique_key__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(priority__gte=-100, priority__lte=100),
                name="sched_task_priority_range",
            ),
            models.CheckConstraint(
                condition=models.Q(attempt__gte=0, max_attempts__gte=1),
                name="sched_task_attempts_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.status}] {self.id}"
