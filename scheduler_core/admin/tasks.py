"""Read-only admin pages over the scheduler's tables, with the operator's task actions.

Staff inspect tasks here. No field is ever edited: every change of a task goes through the
scheduler service, here by the cancel, retry and run-now actions (admin_actions.py), which
need the same permissions as in the dashboard and the API and are audited like them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from scheduler_core.admin import columns as admin_columns
from scheduler_core.admin.actions import cancel_tasks, retry_tasks, run_tasks_now
from scheduler_core.admin.alerts import AlertRuleRecordAdmin  # noqa: F401

# Audits lifting a login lock (deleting an axes attempt) in the admin.
from scheduler_core.admin.lockouts import AuditedAccessAttemptAdmin  # noqa: F401

# Registers the schedule pages, which (unlike the task pages) edit their rows.
from scheduler_core.admin.queue_rates import QueueRateRecordAdmin  # noqa: F401
from scheduler_core.admin.schedules import ScheduleRecordAdmin  # noqa: F401

# Replaces Django's user and group pages with ones that cannot be used to climb.
from scheduler_core.admin.users import GuardedUserAdmin  # noqa: F401
from scheduler_core.models import AuditEntry, TaskErrorRecord, TaskEvent, TaskRecord, WorkerRecord
from scheduler_core.web.permissions import CANCEL, RETRY, RUN_NOW


class ReadOnlyAdminMixin:
    """Show everything, change nothing."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TaskErrorInline(ReadOnlyAdminMixin, admin.TabularInline[TaskErrorRecord, TaskRecord]):
    model = TaskErrorRecord
    extra = 0
    fields = ("attempt", "exception_type", "message", "failed_at", "worker_id", "traceback")
    readonly_fields = fields


class TaskEventInline(ReadOnlyAdminMixin, admin.TabularInline[TaskEvent, TaskRecord]):
    model = TaskEvent
    extra = 0
    fields = ("at", "from_status", "to_status", "attempt", "actor", "reason")
    readonly_fields = fields


@admin.register(TaskRecord)
class TaskRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[TaskRecord]):
    # Compact columns (admin_columns.py): the plain fields did not fit at 1440 px beside
    # the admin's sidebars, and the last ones were cut off.
    list_display = [
        "name",
        "status",
        "queue",
        admin_columns.priority,
        admin_columns.attempts,
        admin_columns.enqueued,
        admin_columns.due,
        admin_columns.worker,
    ]

    class Media:
        css = {"all": ["scheduler_core/admin_tasks.css"]}

    # By enqueue date as a list filter (today, past 7 days, ...), not a date_hierarchy: the
    # hierarchy lists every distinct day with a scan of the whole table, ten seconds on
    # each page view at a million rows; these ranges are read from the enqueued_at index.
    list_filter = ["status", "queue", "name", ("enqueued_at", admin.DateFieldListFilter)]
    search_fields = ["id", "name", "unique_key", "worker_id"]
    # Counting a million rows on every page view is slow; the paginator shows no total.
    show_full_result_count = False
    inlines = [TaskErrorInline, TaskEventInline]
    actions = [cancel_tasks, retry_tasks, run_tasks_now]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in TaskRecord._meta.fields]

    # The actions' `permissions` name these; the operator role holds all three.
    def has_cancel_permission(self, request: HttpRequest) -> bool:
        """May the user cancel tasks (the "Cancel selected tasks" action)."""
        return request.user.has_perm(CANCEL)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        """May the user retry tasks."""
        return request.user.has_perm(RETRY)

    def has_run_now_permission(self, request: HttpRequest) -> bool:
        """May the user make delayed tasks due now."""
        return request.user.has_perm(RUN_NOW)


@admin.register(WorkerRecord)
class WorkerRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[WorkerRecord]):
    list_display = ["id", "hostname", "pid", "state", "concurrency", "last_heartbeat"]
    list_filter = ["state", "hostname"]
    search_fields = ["id", "hostname"]
    date_hierarchy = "started_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in WorkerRecord._meta.fields]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[AuditEntry]):
    list_display = [
        "at",
        "actor",
        "action",
        "count",
        "from_status",
        "target",
        "source",
        "remote_addr",
    ]
    list_filter = ["action", "source"]
    search_fields = ["actor", "target", "action"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in AuditEntry._meta.fields]


# Registers the read-only workflow pages; imported last, as they reuse ReadOnlyAdminMixin.
from scheduler_core.admin.workflows import WorkflowEdgeAdmin  # noqa: E402, F401
