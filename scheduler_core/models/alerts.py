"""Alert rules, their incidents and the notification outbox (docs/alerts.md)."""

from __future__ import annotations

from django.db import models

KIND_CHOICES = [
    ("oldest_ready_age", "Oldest ready task age"),
    ("failure_rate", "Failure rate"),
    ("task_failed", "Task failed for good"),
    ("no_live_worker", "No live worker"),
    ("dead_worker_holding_tasks", "Dead worker holding tasks"),
    ("schedule_missed", "Schedule missed"),
]
INCIDENT_STATE_CHOICES = [
    ("pending", "Pending"),
    ("firing", "Firing"),
    ("ok", "Closed before firing"),
    ("resolved", "Resolved"),
]
DELIVERY_STATUS_CHOICES = [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")]


class AlertRuleRecord(models.Model):
    """A condition over the scheduler's state, its scope, timing and channels."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=KIND_CHOICES)
    queue = models.CharField(max_length=200, null=True, blank=True)
    task = models.CharField(max_length=200, null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    for_seconds = models.IntegerField(default=60)
    renotify_seconds = models.IntegerField(default=3600)
    window_seconds = models.IntegerField(default=300)
    min_count = models.IntegerField(default=10)
    # [{"type": "webhook", "url": ..., "secret": ...}, {"type": "email", "to": [...]}]
    channels = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    silenced_until = models.DateTimeField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "scheduler_alert_rule"
        verbose_name = "alert rule"
        ordering = ["name"]
        permissions = [
            ("manage_alerts", "Can create and change alert rules, acknowledge and silence"),
            ("manage_alert_channels", "Can add and change alert channels"),
        ]

    def __str__(self) -> str:
        return self.name


class IncidentRecord(models.Model):
    """One episode of a rule's condition; `version` is the compare-and-swap's guard."""

    id = models.BigAutoField(primary_key=True)
    rule = models.ForeignKey(AlertRuleRecord, on_delete=models.CASCADE, related_name="incidents")
    state = models.CharField(max_length=16, choices=INCIDENT_STATE_CHOICES)
    version = models.IntegerField(default=1)
    pending_since = models.DateTimeField()
    firing_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    value = models.FloatField(default=0)
    summary = models.CharField(max_length=500, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)

    class Meta:
        db_table = "scheduler_alert_incident"
        verbose_name = "incident"
        ordering = ["-pending_since", "-id"]
        constraints = [
            # One open incident per rule: two evaluators opening at once, one insert wins.
            models.UniqueConstraint(
                fields=["rule"],
                condition=models.Q(state__in=["pending", "firing"]),
                name="sched_incident_one_open",
            )
        ]
        indexes = [
            models.Index(
                fields=["state"],
                name="sched_incident_firing_idx",
                condition=models.Q(state="firing"),
            )
        ]

    def __str__(self) -> str:
        return f"incident {self.id} of {self.rule_id} [{self.state}]"


class NotificationRecord(models.Model):
    """The outbox: one row per transition and channel, written with the transition."""

    id = models.BigAutoField(primary_key=True)
    delivery_id = models.CharField(max_length=64, unique=True)
    rule = models.ForeignKey(
        AlertRuleRecord, on_delete=models.CASCADE, related_name="notifications"
    )
    incident = models.ForeignKey(
        IncidentRecord, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=16)
    channel = models.JSONField()
    subject = models.CharField(max_length=300)
    text = models.TextField()
    status = models.CharField(max_length=16, choices=DELIVERY_STATUS_CHOICES, default="pending")
    attempts = models.IntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "scheduler_alert_notification"
        verbose_name = "alert notification"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="sched_notification_due_idx",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} of incident {self.incident_id} [{self.status}]"
