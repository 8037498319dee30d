"""The interfaces adapters implement and services depend on."""

from .catalog import TaskCatalog
from .clock import Clock, SystemClock
from .queue import Queue
from .scheduler import Scheduler, SubmitRequest
from .task_repository import TaskRepository
from .worker_repository import WorkerRepository

__all__ = [
    "Clock",
    "Queue",
    "Scheduler",
    "SubmitRequest",
    "SystemClock",
    "TaskCatalog",
    "TaskRepository",
    "WorkerRepository",
]
