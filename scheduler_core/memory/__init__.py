"""In-memory adapters of the ports: for tests and single-process, embedded use.

Standard library only. Thread-safe; state lives as long as the process.
"""

from .catalog import InMemoryTaskCatalog
from .clock import ManualClock
from .queue import InMemoryQueue
from .ready_index import ReadyIndex
from .schedule_repository import InMemoryScheduleRepository
from .storage import InMemoryStorage
from .task_repository import InMemoryTaskRepository
from .worker_repository import InMemoryWorkerRepository
from .workflow_repository import InMemoryWorkflowRepository

__all__ = [
    "InMemoryQueue",
    "InMemoryScheduleRepository",
    "InMemoryStorage",
    "InMemoryTaskCatalog",
    "InMemoryTaskRepository",
    "InMemoryWorkerRepository",
    "InMemoryWorkflowRepository",
    "ManualClock",
    "ReadyIndex",
]
