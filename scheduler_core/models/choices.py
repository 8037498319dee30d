"""Database choices mirroring the domain's closed enums."""

from __future__ import annotations

from django.db import models

from scheduler_core.domain import TaskStatus, WorkerState

TASK_STATUS_CHOICES = [(status.value, status.value.capitalize()) for status in TaskStatus]
WORKER_STATE_CHOICES = [(state.value, state.value.capitalize()) for state in WorkerState]
WAITING_VALUES = sorted(status.value for status in TaskStatus if status.is_waiting)
TERMINAL_VALUES = sorted(status.value for status in TaskStatus if status.is_terminal)
# The promotable statuses (domain.task.PROMOTABLE_STATUSES) in the order of the predicate of
# sched_task_delayed_idx. SQLite uses a partial index only for a query whose WHERE repeats
# that predicate as written: the same values in the same order.
DELAYED_VALUES = ["scheduled", "retrying"]


def waiting() -> models.Q:
    """Rows a worker may claim once due."""
    return models.Q(status__in=WAITING_VALUES)


def live() -> models.Q:
    """Rows that have not reached a terminal state."""
    return ~models.Q(status__in=TERMINAL_VALUES)
