"""The scheduler's domain: tasks, workers, their lifecycles and the ports adapters implement.

Imports only the standard library (an import-linter contract enforces it).
"""

from .errors import (
    DuplicateTask,
    InvalidTransition,
    QueueEmpty,
    SchedulerError,
    StaleTask,
    TaskInvalid,
    TaskNotFound,
    UnknownTask,
    WorkerInvalid,
    WorkerNotFound,
)
from .listing import Cursor, Page, PageRequest, TaskFilter
from .priority import MAX_PRIORITY, MIN_PRIORITY, Priority
from .records import WORKER_LOST, TaskError, TaskTransition
from .retry import RetryPolicy
from .status import TERMINAL_STATUSES, WAITING_STATUSES, TaskStatus, WorkerState
from .task import Task
from .worker import Worker

__all__ = [
    "MAX_PRIORITY",
    "MIN_PRIORITY",
    "TERMINAL_STATUSES",
    "WAITING_STATUSES",
    "WORKER_LOST",
    "Cursor",
    "DuplicateTask",
    "InvalidTransition",
    "Page",
    "PageRequest",
    "Priority",
    "QueueEmpty",
    "RetryPolicy",
    "SchedulerError",
    "StaleTask",
    "Task",
    "TaskError",
    "TaskFilter",
    "TaskInvalid",
    "TaskNotFound",
    "TaskStatus",
    "TaskTransition",
    "UnknownTask",
    "Worker",
    "WorkerInvalid",
    "WorkerNotFound",
    "WorkerState",
]
