"""Reading the audit log newest first, filtered, a page at a time (keyset on at, id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from scheduler_core.models import AuditEntry


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
class AuditPage:
    """One page of entries, and the id to continue after when there are older ones."""

    entries: list[AuditEntry]
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
    entries = list(rows.order_by("-at", "-id")[: size + 1])
    more = len(entries) > size
    entries = entries[:size]
    return AuditPage(entries=entries, next_after=entries[-1].id if more else None)


def audit_entry(using: str, entry_id: int) -> AuditEntry | None:
    """One entry, or None if there is none with that id."""
    return AuditEntry.objects.using(using).filter(id=entry_id).first()


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
