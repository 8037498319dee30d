"""Writing the audit record of a change made with a management command (manage.py)."""

from __future__ import annotations

import getpass
from collections.abc import Mapping

from .bootstrap import get_audit_log
from .services.audit import AuditRecord


def audit_command(
    action: str, *, target: str = "", details: Mapping[str, object] | None = None
) -> None:
    """Record that whoever runs manage.py took `action` on `target` (source "command")."""
    try:
        # The operating-system account: commands run on a server, without a web login.
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    get_audit_log().record(
        AuditRecord(
            actor=f"manage.py ({who})"[:150],
            action=action,
            source="command",
            target=target[:200],
            details={} if details is None else details,
        )
    )
