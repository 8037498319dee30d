"""The interfaces adapters implement and services depend on."""

from .catalog import TaskCatalog
from .clock import Clock, SystemClock
from .cron import CronCalendar
from .queue import Queue
from .schedule_repository import ScheduleRepository
from .scheduler import Scheduler, SubmitRequest
from .task_repository import TaskRepository
from .worker_control import HeldAttempt, WorkerControl
from .worker_repository import WorkerRepository
from .workflow_repository import WorkflowRepository

__all__ = [
    "Clock",
    "HeldAttempt",
    "CronCalendar",
    "Queue",
    "ScheduleRepository",
    "Scheduler",
    "SubmitRequest",
    "SystemClock",
    "TaskCatalog",
    "TaskRepository",
    "WorkerControl",
    "WorkerRepository",
    "WorkflowRepository",
]
