"""Writing the audit record of an action a logged-in user took through a web request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.http import HttpRequest

from .bootstrap import get_audit_log
from .client_ip import client_ip
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
    details: Mapping[str, object] | None = None,
) -> None:
    """Record that the request's user took `action` on `tasks` (or on `target`) via `source`.

    `details` holds what else the action set, as JSON values (a queue limit's new value).
    """
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
            details={} if details is None else details,
            remote_addr=client_ip(request) or None,
        )
    )
