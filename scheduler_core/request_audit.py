"""Writing the audit record of an action a logged-in user took through a web request."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest

from .bootstrap import get_audit_log
from .domain import Task
from .services.audit import AuditRecord


def audit_request(
    request: HttpRequest,
    action: str,
    tasks: Sequence[Task] = (),
    *,
    source: str,
    from_status: str = "",
    target: str = "",
) -> None:
    """Record that the request's user took `action` on `tasks` (or on `target`) via `source`."""
    user = request.user
    get_audit_log().record(
        AuditRecord(
            actor=user.get_username(),
            user_id=user.pk,
            action=action,
            source=source,
            task_ids=[task.id for task in tasks],
            from_status=from_status,
            target=target,
            remote_addr=request.META.get("REMOTE_ADDR") or None,
        )
    )
