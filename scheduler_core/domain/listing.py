"""Filters and keyset pages for task lists, shared by every repository."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from .errors import TaskInvalid
from .status import TaskStatus

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskFilter:
    """Which tasks a list shows; None or empty means no restriction on that field."""

    statuses: frozenset[TaskStatus] = frozenset()
    queue: str | None = None
    name: str | None = None
    worker_id: str | None = None
    enqueued_after: datetime | None = None
    enqueued_before: datetime | None = None
    # Case-insensitive text that must occur in the JSON of the arguments.
    search: str | None = None
    # Tasks with a failed attempt of this exception type ("builtins.ValueError")...
    error_type: str | None = None
    # ...recorded at or after this moment (either alone narrows too): a failures group.
    failed_after: datetime | None = None
    # Tasks carrying this tag (domain/tags.py).
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in the newest-first order: (enqueued_at, id) of the last task seen."""

    enqueued_at: datetime
    task_id: UUID

    def encode(self) -> str:
        """An opaque, URL-safe token for the position."""
        raw = json.dumps([self.enqueued_at.isoformat(), str(self.task_id)]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Read a token made by encode(); TaskInvalid(field='cursor') when it is not one."""
        try:
            padded = token + "=" * (-len(token) % 4)
            moment, task_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
            cursor = cls(datetime.fromisoformat(moment), UUID(task_id))
        # AttributeError: UUID() given a non-string (a number, a list) from a forged token.
        except (ValueError, TypeError, AttributeError, binascii.Error) as error:
            raise TaskInvalid("cursor", "is not a cursor this server issued") from error
        if cursor.enqueued_at.utcoffset() is None:
            raise TaskInvalid("cursor", "is not a cursor this server issued")
        return cursor


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRequest:
    """How many tasks to return, after which position (None for the first page)."""

    limit: int = DEFAULT_PAGE_SIZE
    after: Cursor | None = None
    # Oldest enqueued first instead of newest: the same indexes, read the other way.
    oldest_first: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int):
            raise TaskInvalid("limit", "must be an integer")
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise TaskInvalid("limit", f"must lie in 1..{MAX_PAGE_SIZE}")


@dataclass(frozen=True, slots=True)
class Page[T]:
    """One page of results in the request's order, with the cursor of the next page if any."""

    items: list[T] = field(default_factory=list)
    next_cursor: Cursor | None = None
