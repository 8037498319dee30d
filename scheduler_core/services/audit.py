"""The audit log port: every operator action is recorded with who, what, where from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

SOURCES = frozenset({"api", "dashboard"})


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRecord:
    """One operator action: by whom, on which tasks (or other target), from which source."""

    actor: str
    action: str
    source: str
    user_id: int | None = None
    task_ids: Sequence[UUID] = field(default_factory=tuple)
    from_status: str = ""
    target: str = ""
    remote_addr: str | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {sorted(SOURCES)}, not {self.source!r}")


class AuditLog(ABC):
    """Where audit records are kept."""

    @abstractmethod
    def record(self, entry: AuditRecord) -> None:
        """Store one record; it is never changed afterwards."""
