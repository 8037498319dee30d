"""Django app configuration of the demo tasks."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Example tasks; the scheduler finds them in demo/tasks.py."""

    name = "demo"
    verbose_name = "Demo tasks"
