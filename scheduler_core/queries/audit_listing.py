"""Reading the audit log newest first, filtered, a page at a time (keyset on at, id)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from scheduler_core.models import AuditEntry
from scheduler_core.models.audit import SOURCE_CHOICES

_SOURCE_LABELS = dict(SOURCE_CHOICES)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    """Which entries to show; empty fields do not filter."""

    actor: str = ""
    action: str = ""
    source: str = ""
    # [since, until): the day the operator picked, in their time zone.
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredAuditEntry:
    """One recorded action as the pages show it: the row's fields, no model."""

    id: int
    at: datetime
    actor: str
    action: str
    source: str
    # The ids as recorded (JSON strings), and how many tasks the action touched.
    task_ids: list[Any]
    count: int
    from_status: str
    target: str
    details: dict[str, Any]
    remote_addr: str | None

    @property
    def source_label(self) -> str:
        """The source as people read it ("Admin site"); one no choice names, as stored."""
        return _SOURCE_LABELS.get(self.source, self.source)


# The columns read: the entry's fields, named as the model names them.
_FIELDS = [field.name for field in fields(StoredAuditEntry)]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditPage:
    """One page of entries, and the id to continue after when there are older ones."""

    entries: list[StoredAuditEntry]
    next_after: int | None


def audit_page(using: str, audit_filter: AuditFilter, *, after: int | None, size: int) -> AuditPage:
    """Up to `size` entries older than entry `after` (from the newest when None)."""
    rows = _filtered(AuditEntry.objects.using(using), audit_filter)
    if after is not None:
        anchor = AuditEntry.objects.using(using).filter(id=after).values_list("at", flat=True)
        at = anchor.first()
        if at is not None:
            # Keyset on the (at, id) index: stays fast however far back the page is.
            rows = rows.filter(Q(at__lt=at) | Q(at=at, id__lt=after))
    entries = [
        StoredAuditEntry(**row) for row in rows.order_by("-at", "-id").values(*_FIELDS)[: size + 1]
    ]
    more = len(entries) > size
    entries = entries[:size]
    return AuditPage(entries=entries, next_after=entries[-1].id if more else None)


def audit_entry(using: str, entry_id: int) -> StoredAuditEntry | None:
    """One entry, or None if there is none with that id."""
    row = AuditEntry.objects.using(using).filter(id=entry_id).values(*_FIELDS).first()
    return None if row is None else StoredAuditEntry(**row)


def _filtered(rows: QuerySet[AuditEntry], audit_filter: AuditFilter) -> QuerySet[AuditEntry]:
    if audit_filter.actor:
        rows = rows.filter(actor=audit_filter.actor)
    if audit_filter.action:
        rows = rows.filter(action=audit_filter.action)
    if audit_filter.source:
        rows = rows.filter(source=audit_filter.source)
    if audit_filter.since is not None:
        rows = rows.filter(at__gte=audit_filter.since)
    if audit_filter.until is not None:
        rows = rows.filter(at__lt=audit_filter.until)
    return rows
