"""Read-only admin pages over workflow runs and their edges (the steps are task rows)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from scheduler_core.admin.tasks import ReadOnlyAdminMixin
from scheduler_core.models import WorkflowEdgeRecord, WorkflowRunRecord


@admin.register(WorkflowRunRecord)
class WorkflowRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[WorkflowRunRecord]):
    list_display = ["name", "id", "created_at"]
    search_fields = ["name", "id"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in WorkflowRunRecord._meta.fields]


@admin.register(WorkflowEdgeRecord)
class WorkflowEdgeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[WorkflowEdgeRecord]):
    list_display = ["id", "parent_id", "child_id", "ignore_failure", "resolved"]
    list_filter = ["resolved", "ignore_failure"]
    # A run's edges reach tens of thousands of rows: never render its tasks as a select box.
    raw_id_fields = ["parent", "child"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in WorkflowEdgeRecord._meta.fields]
