"""Database tables of the scheduler; the ORM adapters in scheduler_core.storage map them."""

from .alerts import AlertRuleRecord, IncidentRecord, NotificationRecord
from .audit import AuditEntry
from .counters import ActivityMinute, QueueCount, TaskTotals
from .queue_limit import QueueLimit
from .queue_pause import QueuePause
from .queue_rate import QueueRateBucket, QueueRateRecord
from .schedule import ScheduleRecord
from .submit_rate import SubmitRateEvent, SubmitRateKey
from .task import TaskRecord
from .task_error import TaskErrorRecord
from .task_event import TaskEvent
from .task_metrics import MetricsRollupState, TaskMetricsRow
from .worker import WorkerRecord
from .worker_command import WorkerCommandRecord
from .workflow import WorkflowEdgeRecord, WorkflowRunRecord

__all__ = [
    "ActivityMinute",
    "AlertRuleRecord",
    "AuditEntry",
    "IncidentRecord",
    "MetricsRollupState",
    "NotificationRecord",
    "QueueLimit",
    "QueueCount",
    "QueuePause",
    "QueueRateBucket",
    "QueueRateRecord",
    "ScheduleRecord",
    "SubmitRateEvent",
    "SubmitRateKey",
    "TaskErrorRecord",
    "TaskEvent",
    "TaskMetricsRow",
    "TaskRecord",
    "TaskTotals",
    "WorkerCommandRecord",
    "WorkerRecord",
    "WorkflowEdgeRecord",
    "WorkflowRunRecord",
]
