"""Paused queues: claims skip every queue listed here until it is resumed."""

from __future__ import annotations

from django.db import models


class QueuePause(models.Model):
    """One paused queue; the row's presence is the pause (deleting it resumes the queue)."""

    queue = models.CharField(primary_key=True, max_length=100)
    paused_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scheduler_queue_pause"
        verbose_name = "paused queue"

    def __str__(self) -> str:
        return f"{self.queue} (paused)"
