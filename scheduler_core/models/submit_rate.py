"""The submit rate limit's log: each submit of the last window, per user, in the database."""

from __future__ import annotations

from django.db import models


class SubmitRateKey(models.Model):
    """One row per limited user: what a check locks, so that checks of one user take turns."""

    # "user:<id>"; text, so that other subjects (a token, an address) could be limited too.
    key = models.CharField(max_length=100, primary_key=True)

    class Meta:
        db_table = "scheduler_submit_rate_key"
        verbose_name = "submit rate key"

    def __str__(self) -> str:
        return self.key


class SubmitRateEvent(models.Model):
    """`cost` tasks submitted by `key` at `at` (Unix seconds); gone once out of the window."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=100)
    at = models.FloatField()
    cost = models.IntegerField()

    class Meta:
        db_table = "scheduler_submit_rate_event"
        verbose_name = "submit rate event"
        indexes = [models.Index(fields=["key", "at"], name="sched_submit_rate_idx")]

    def __str__(self) -> str:
        return f"{self.key}: {self.cost} at {self.at}"
