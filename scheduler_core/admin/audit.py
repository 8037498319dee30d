"""The admin site's adds, changes and deletions, written to the scheduler's audit log.

Django keeps its own admin log (LogEntry), which the audit page, the API and the retention
rules know nothing of; every ModelAdmin of ours that edits rows mixes this in so that the
audit log holds every change, from every door, with its actor.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from scheduler_core.web.operator_audit import audit_request


class AuditedAdminMixin:
    """Writes an audit record (source "admin") beside each admin log entry."""

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        """Log the addition in Django's admin log and in the audit log."""
        logged = super().log_addition(request, obj, message)  # type: ignore[misc]
        _audit(request, "add", obj, message)
        return logged

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        """Log the change (password changes included) in both logs."""
        logged = super().log_change(request, obj, message)  # type: ignore[misc]
        _audit(request, "change", obj, message)
        return logged

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        """Log the deletions in both logs; called before the rows go."""
        logged = super().log_deletions(request, queryset)  # type: ignore[misc]
        for obj in queryset:
            _audit(request, "delete", obj, [{"deleted": {}}])
        return logged


def _audit(request: HttpRequest, verb: str, obj: Model, message: Any) -> None:
    """One record: "admin.change_user" on "auth.user:7 alice", with what changed."""
    meta = obj._meta
    audit_request(
        request,
        f"admin.{verb}_{meta.model_name}",
        source="admin",
        target=f"{meta.label_lower}:{obj.pk} {obj}"[:200],
        # Django's change message: a list of {"added"|"changed"|"deleted": {...}} (JSON).
        details={"changes": message if isinstance(message, list) else str(message)},
    )
