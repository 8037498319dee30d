"""The schedule table: one row per periodic task, its timing and its next and last run."""

from __future__ import annotations

from django.db import models

from scheduler_core.domain import CatchUp
from scheduler_core.domain.schedule import DEFAULT_CATCH_UP_LIMIT

from .exact_json import ExactJSONEncoder

CATCH_UP_CHOICES = [
    (CatchUp.SKIP.value, "Skip missed runs"),
    (CatchUp.ONCE.value, "Run once for all missed runs"),
    (CatchUp.ALL.value, "Run each missed run, up to the limit"),
]


class ScheduleRecord(models.Model):
    """A stored schedule; storage/schedule_repository.py maps it to the domain's Schedule."""

    name = models.CharField(max_length=200, unique=True)
    task = models.CharField(max_length=200, help_text="A registered task, e.g. demo.tasks.add")
    args = models.JSONField(encoder=ExactJSONEncoder, default=list, blank=True)
    kwargs = models.JSONField(encoder=ExactJSONEncoder, default=dict, blank=True)
    cron = models.CharField(
        max_length=200,
        null=True,
        blank=True,
        help_text="5 fields (minute hour day month weekday) or @hourly, @daily, ...",
    )
    interval_seconds = models.IntegerField(
        null=True, blank=True, help_text="Fire every this many seconds (instead of a cron)"
    )
    timezone = models.CharField(max_length=64, default="UTC")
    enabled = models.BooleanField(default=True)
    catch_up = models.CharField(max_length=8, choices=CATCH_UP_CHOICES, default=CatchUp.SKIP.value)
    catch_up_limit = models.IntegerField(default=DEFAULT_CATCH_UP_LIMIT)
    queue = models.CharField(max_length=100, null=True, blank=True)
    priority = models.SmallIntegerField(null=True, blank=True)
    max_attempts = models.IntegerField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        db_table = "scheduler_schedule"
        verbose_name = "schedule"
        ordering = ["name"]
        indexes = [
            # The ticker: enabled schedules by next run.
            models.Index(
                fields=["next_run_at"],
                name="sched_schedule_due_idx",
                condition=models.Q(enabled=True),
            )
        ]

    def __str__(self) -> str:
        return self.name
