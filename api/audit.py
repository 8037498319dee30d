"""Writing the audit record of an action taken through the API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.http import HttpRequest

from scheduler_core.domain import Task
from scheduler_core.request_audit import audit_request


def audit(
    request: HttpRequest,
    action: str,
    tasks: Sequence[Task] = (),
    *,
    from_status: str = "",
    target: str = "",
    details: Mapping[str, object] | None = None,
) -> None:
    """Record that the caller took `action` on `tasks` (or on `target`) through the API."""
    audit_request(
        request,
        action,
        tasks,
        source="api",
        from_status=from_status,
        target=target,
        details=details,
    )
