"""The audit log port: every operator action is recorded with who, what, where from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args
from uuid import UUID

from ..domain.queue_rates import QueueRate

# Where an action came from: the JSON API, the dashboard, the admin site or manage.py.
AuditSource = Literal["api", "dashboard", "admin", "command"]
SOURCES: frozenset[str] = frozenset(get_args(AuditSource))


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
    # What else the action set (JSON values), such as a queue limit's new and old value.
    details: Mapping[str, object] = field(default_factory=dict)
    remote_addr: str | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {sorted(SOURCES)}, not {self.source!r}")


def queue_limit_details(limit: int | None, previous: int | None) -> dict[str, int | None]:
    """The details of a queue limit's audit record: the new limit and the one it replaced."""
    return {"limit": limit, "previous": previous}


def queue_rate_details(rate: QueueRate | None, previous: QueueRate | None) -> dict[str, object]:
    """The details of a queue rate's audit record: the new rate and the one it replaced."""
    return {
        "rate": None if rate is None else rate.as_json(),
        "previous": None if previous is None else previous.as_json(),
    }


class AuditLog(ABC):
    """Where audit records are kept."""

    @abstractmethod
    def record(self, entry: AuditRecord) -> None:
        """Store one record; it is never changed afterwards."""
