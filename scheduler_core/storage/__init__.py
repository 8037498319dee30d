"""Django ORM adapters of the ports, on SQLite (default) or PostgreSQL."""

from .db_clock import DatabaseClock
from .metrics_rollup import DjangoMetricsRollup
from .queue import DjangoQueue
from .schedule_repository import DjangoScheduleRepository
from .sqlite_statistics import SQLitePlannerStatistics
from .task_repository import DjangoTaskRepository
from .worker_control import DjangoWorkerControl
from .worker_repository import DjangoWorkerRepository
from .workflow_repository import DjangoWorkflowRepository

__all__ = [
    "DatabaseClock",
    "DjangoMetricsRollup",
    "SQLitePlannerStatistics",
    "DjangoQueue",
    "DjangoScheduleRepository",
    "DjangoTaskRepository",
    "DjangoWorkerControl",
    "DjangoWorkerRepository",
    "DjangoWorkflowRepository",
]
