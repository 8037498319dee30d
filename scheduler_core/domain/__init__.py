"""The scheduler's domain: tasks, workers, their lifecycles and the ports adapters implement.

Imports only the standard library (an import-linter contract enforces it).
"""

from .errors import (
    DuplicateTask,
    InvalidTransition,
    QueueEmpty,
    ResultExpired,
    ScheduleInvalid,
    ScheduleNotFound,
    SchedulerError,
    StaleTask,
    TaskInvalid,
    TaskNotFound,
    UnknownTask,
    WorkerInvalid,
    WorkerNotFound,
    WorkflowNotFound,
)
from .listing import Cursor, Page, PageRequest, TaskFilter
from .priority import MAX_PRIORITY, MIN_PRIORITY, Priority
from .records import WORKER_LOST, TaskError, TaskTransition
from .retry import RetryPolicy
from .schedule import CatchUp, Schedule
from .schedule_plan import FirePlan, plan_fires, upcoming_runs
from .status import TERMINAL_STATUSES, WAITING_STATUSES, TaskStatus, WorkerState
from .task import Task
from .task_ids import new_task_id
from .worker import Worker, WorkerLoad

__all__ = [
    "MAX_PRIORITY",
    "MIN_PRIORITY",
    "TERMINAL_STATUSES",
    "WAITING_STATUSES",
    "WORKER_LOST",
    "CatchUp",
    "Cursor",
    "DuplicateTask",
    "FirePlan",
    "InvalidTransition",
    "Page",
    "PageRequest",
    "Priority",
    "QueueEmpty",
    "ResultExpired",
    "RetryPolicy",
    "Schedule",
    "ScheduleInvalid",
    "ScheduleNotFound",
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
    "WorkerLoad",
    "WorkerInvalid",
    "WorkerNotFound",
    "WorkerState",
    "WorkflowNotFound",
    "new_task_id",
    "plan_fires",
    "upcoming_runs",
]
