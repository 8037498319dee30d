"""Database tables of the scheduler; the ORM adapters in scheduler_core.storage map them."""

from .audit import AuditEntry
from .queue_limit import QueueLimit
from .queue_pause import QueuePause
from .schedule import ScheduleRecord
from .task import TaskRecord
from .task_error import TaskErrorRecord
from .task_event import TaskEvent
from .worker import WorkerRecord

__all__ = [
    "AuditEntry",
    "QueueLimit",
    "QueuePause",
    "ScheduleRecord",
    "TaskErrorRecord",
    "TaskEvent",
    "TaskRecord",
    "WorkerRecord",
]
