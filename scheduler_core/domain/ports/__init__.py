"""The interfaces adapters implement and services depend on."""

from .catalog import TaskCatalog
from .clock import Clock, SystemClock
from .cron import CronCalendar
from .metrics_rollup import MetricsRollup
from .planner_statistics import PlannerStatistics
from .queue import Queue
from .schedule_repository import ScheduleRepository
from .scheduler import Admit, Scheduler, SubmitRequest, Submitted
from .task_repository import TaskRepository
from .worker_control import HeldAttempt, WorkerControl
from .worker_repository import WorkerRepository
from .workflow_repository import WorkflowRepository

__all__ = [
    "Admit",
    "Clock",
    "HeldAttempt",
    "MetricsRollup",
    "PlannerStatistics",
    "CronCalendar",
    "Queue",
    "ScheduleRepository",
    "Scheduler",
    "SubmitRequest",
    "Submitted",
    "SystemClock",
    "TaskCatalog",
    "TaskRepository",
    "WorkerControl",
    "WorkerRepository",
    "WorkflowRepository",
]
