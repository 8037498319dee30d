"""Use cases of the scheduler, written against the domain ports only (no Django, no ORM)."""

from .optimistic import MAX_STALE_RETRIES, change_task
from .promoter import DEFAULT_PROMOTE_BATCH_SIZE, TaskPromoter
from .pruner import PruneReport, TaskPruner
from .rescuer import DEFAULT_RESCUE_BATCH_SIZE, RescueReport, TaskRescuer
from .run_view import RunView
from .schedule_ticker import DEFAULT_TICK_BATCH_SIZE, ScheduleTicker, TickReport
from .schedules import ScheduleService, SyncReport
from .submission import MAX_BATCH_SIZE, build_batch, build_task
from .task_service import TaskService
from .worker_service import WorkerService
from .workflows import Neighbours, RunActionReport, RunSummary, StepRequest, WorkflowService

__all__ = [
    "PruneReport",
    "TaskPruner",
    "DEFAULT_PROMOTE_BATCH_SIZE",
    "DEFAULT_RESCUE_BATCH_SIZE",
    "MAX_BATCH_SIZE",
    "MAX_STALE_RETRIES",
    "RescueReport",
    "ScheduleService",
    "TaskService",
    "ScheduleTicker",
    "SyncReport",
    "TickReport",
    "DEFAULT_TICK_BATCH_SIZE",
    "TaskPromoter",
    "TaskRescuer",
    "WorkerService",
    "WorkflowService",
    "Neighbours",
    "RunSummary",
    "RunActionReport",
    "RunView",
    "StepRequest",
    "build_batch",
    "build_task",
    "change_task",
]
