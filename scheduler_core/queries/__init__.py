"""The read side: what the dashboard and the API show, read straight from the tables.

Each module is one read for the pages (counts, windows, listings); none writes. The
composition root hands out a `Queries` (the database alias and its clock) through
`bootstrap.get_queries()`, and the dashboard and the API reach every table through this
package, never through `storage` or `models` (an import contract in pyproject.toml). A few
reads live beside the ORM adapters that also use them (the trigger-kept counters, the
running tasks each worker holds, the metrics rollup's scope); they are exported from here.
"""

from scheduler_core.models.audit import SOURCE_CHOICES
from scheduler_core.storage.counters.reads import queue_counts
from scheduler_core.storage.metrics_source import Scope
from scheduler_core.storage.worker_load import HeldTask, running_tasks_by_worker

from .activity import Bucket, Window, activity
from .audit_listing import AuditFilter, AuditPage, StoredAuditEntry, audit_entry, audit_page
from .dead_holders import DeadHolders, HeldByGone, dead_holders
from .failure_groups import FailureGroup, failure_groups
from .metrics_reads import WindowRead, window_stretches
from .queue_board import QueueBoard, QueueNumbers, queue_board
from .reads import Queries
from .schedule_runs import latest_run, recent_runs
from .stats import QueueStats, event_totals, queue_stats, recent_timings
from .worker_census import fresh_workers, live_workers, stale_workers, worker_census

__all__ = [
    "SOURCE_CHOICES",
    "AuditFilter",
    "AuditPage",
    "Bucket",
    "DeadHolders",
    "FailureGroup",
    "HeldByGone",
    "HeldTask",
    "Queries",
    "QueueBoard",
    "QueueNumbers",
    "QueueStats",
    "Scope",
    "StoredAuditEntry",
    "Window",
    "WindowRead",
    "activity",
    "audit_entry",
    "audit_page",
    "dead_holders",
    "event_totals",
    "failure_groups",
    "fresh_workers",
    "latest_run",
    "live_workers",
    "queue_board",
    "queue_counts",
    "queue_stats",
    "recent_runs",
    "recent_timings",
    "running_tasks_by_worker",
    "stale_workers",
    "window_stretches",
    "worker_census",
]
