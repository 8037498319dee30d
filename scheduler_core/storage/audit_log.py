"""The audit log in the database (table scheduler_audit_entry)."""

from __future__ import annotations

from scheduler_core.models import AuditEntry
from scheduler_core.services.audit import AuditLog, AuditRecord


class DjangoAuditLog(AuditLog):
    """Writes audit records as AuditEntry rows in the scheduler's database."""

    def __init__(self, using: str = "default") -> None:
        self.using = using

    def record(self, entry: AuditRecord) -> None:
        """Store one record."""
        AuditEntry.objects.using(self.using).create(
            actor=entry.actor[:150],
            user_id=entry.user_id,
            action=entry.action,
            task_ids=[str(task_id) for task_id in entry.task_ids],
            count=len(entry.task_ids),
            from_status=entry.from_status,
            target=entry.target[:200],
            details=dict(entry.details),
            source=entry.source,
            remote_addr=entry.remote_addr,
        )
