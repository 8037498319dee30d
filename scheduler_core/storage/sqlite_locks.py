"""Retrying SQLite writes that met another writer's lock past the busy timeout."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.db import OperationalError

MAX_LOCK_RETRIES = 8


def is_locked_error(error: OperationalError) -> bool:
    """True for SQLite's "database is locked" / "database table is locked" errors."""
    return "locked" in str(error).lower()


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
