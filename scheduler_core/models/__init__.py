"""Database tables of the scheduler; the ORM adapters in scheduler_core.storage map them."""

from .task import TaskRecord
from .task_error import TaskErrorRecord
from .task_event import TaskEvent
from .worker import WorkerRecord

__all__ = ["TaskErrorRecord", "TaskEvent", "TaskRecord", "WorkerRecord"]
