"""Retrying SQLite writes that met another writer's lock past the busy timeout."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable

from django.db import OperationalError

MAX_LOCK_RETRIES = 8
_LOCKED = re.compile(r"\blocked\b", re.IGNORECASE)


def is_locked_error(error: OperationalError) -> bool:
    """True for SQLite's "database is locked" / "database table is locked" errors.

    The word, not the letters: PostgreSQL's deadlock report ("... blocked by process ...")
    held them, and its victim was retried inside the transaction that kept the other side's
    locks, so the deadlock came back every second for as long as the retries lasted (a
    worker's heartbeat stuck behind it for 10 s, and the worker declared dead).
    """
    return _LOCKED.search(str(error)) is not None


def retry_when_locked[T](operation: Callable[[], T], *, attempts: int = MAX_LOCK_RETRIES) -> T:
    """Run `operation`, retrying with growing random pauses while SQLite reports a lock."""
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except OperationalError as error:
            if not is_locked_error(error) or attempt == attempts:
                raise
            # The busy timeout already waited; back off so competing writers spread out.
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")  # pragma: no cover
