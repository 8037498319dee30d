"""Writing the audit record of an operator action taken in the dashboard."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest

from scheduler_core.bootstrap import get_audit_log
from scheduler_core.domain import Task
from scheduler_core.services.audit import AuditRecord


def audit(
    request: HttpRequest,
    action: str,
    tasks: Sequence[Task] = (),
    *,
    from_status: str = "",
    target: str = "",
) -> None:
    """Record that the logged-in user took `action` on `tasks` (or on `target`)."""
    user = request.user
    get_audit_log().record(
        AuditRecord(
            actor=user.get_username(),
            user_id=user.pk,
            action=action,
            source="dashboard",
            task_ids=[task.id for task in tasks],
            from_status=from_status,
            target=target,
            remote_addr=request.META.get("REMOTE_ADDR") or None,
        )
    )
