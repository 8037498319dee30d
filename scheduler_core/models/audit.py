"""The audit log: one row per action taken through the API, dashboard, admin or manage.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models

SOURCE_CHOICES = [
    ("api", "API"),
    ("dashboard", "Dashboard"),
    ("admin", "Admin site"),
    ("command", "Management command"),
]


class AuditEntry(models.Model):
    """Who did what to which tasks, from where, and what state the tasks were in."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True)
    # The name is kept as written: the user may be deleted later, the record must not be.
    actor = models.CharField(max_length=150)
    # No database constraint: the scheduler's tables may live in another database than users.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
    )
    action = models.CharField(max_length=50)
    task_ids = models.JSONField(default=list)
    count = models.IntegerField(default=0)
    from_status = models.CharField(max_length=16, blank=True)
    # Actions on something other than tasks (a queue name, a token name).
    target = models.CharField(max_length=200, blank=True)
    # What else the action set, as JSON: for a queue limit, the new and the replaced value.
    details = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=16, choices=SOURCE_CHOICES)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        db_table = "scheduler_audit_entry"
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["-at", "-id"], name="sched_audit_at_idx")]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} ({self.count}) via {self.source}"
