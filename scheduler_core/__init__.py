"""A distributed task scheduler: domain, adapters and services."""

from scheduler_core.task_exceptions import Discard, Snooze, SoftTimeLimitExceeded

__all__ = ["Discard", "Snooze", "SoftTimeLimitExceeded"]
