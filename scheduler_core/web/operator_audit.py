"""Writing the audit record of an operator action: the one helper every door calls.

The doors are the dashboard, the JSON API and the admin site (a logged-in user's request:
audit_request) and manage.py (audit_command); a login lockout, whose actor is the username
tried rather than a logged-in user, calls record_action itself. Each names its own source,
so the audit log says which door an action came through.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping, Sequence

from django.http import HttpRequest

from scheduler_core.bootstrap import get_audit_log
from scheduler_core.domain import Task
from scheduler_core.services.audit import AuditRecord, AuditSource
from scheduler_core.web.client_ip import client_ip


def record_action(
    action: str,
    *,
    source: AuditSource,
    actor: str,
    user_id: int | None = None,
    tasks: Sequence[Task] = (),
    from_status: str = "",
    target: str = "",
    details: Mapping[str, object] | None = None,
    remote_addr: str | None = None,
) -> None:
    """Record that `actor` took `action` on `tasks` (or on `target`) through `source`.

    `details` holds what else the action set, as JSON values (a queue limit's new value).
    """
    get_audit_log().record(
        AuditRecord(
            actor=actor,
            user_id=user_id,
            action=action,
            source=source,
            task_ids=[task.id for task in tasks],
            from_status=from_status,
            target=target,
            details={} if details is None else details,
            remote_addr=remote_addr,
        )
    )


def audit_request(
    request: HttpRequest,
    action: str,
    tasks: Sequence[Task] = (),
    *,
    source: AuditSource,
    from_status: str = "",
    target: str = "",
    details: Mapping[str, object] | None = None,
) -> None:
    """Record that the request's user took `action` on `tasks` (or on `target`) via `source`."""
    user = request.user
    record_action(
        action,
        source=source,
        actor=user.get_username(),
        user_id=user.pk,
        tasks=tasks,
        from_status=from_status,
        target=target,
        details=details,
        remote_addr=client_ip(request) or None,
    )


def audit_command(
    action: str, *, target: str = "", details: Mapping[str, object] | None = None
) -> None:
    """Record that whoever runs manage.py took `action` on `target` (source "command")."""
    try:
        # The operating-system account: commands run on a server, without a web login.
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    record_action(
        action,
        source="command",
        actor=f"manage.py ({who})"[:150],
        target=target[:200],
        details=details,
    )
