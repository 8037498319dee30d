"""Django app configuration of the scheduler."""

from django.apps import AppConfig


class SchedulerCoreConfig(AppConfig):
    """Registers the scheduler with Django."""

    name = "scheduler_core"
    verbose_name = "Scheduler"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the system checks."""
        from django.core import checks

        from scheduler_core.task_backend.checks import SCHEDULER_CHECKS, check_default_task_backend

        checks.register(check_default_task_backend, SCHEDULER_CHECKS)
