"""Waiting out a database that is away (restarting, failing over, not yet migrated).

A worker started by a process manager at boot, or alongside `migrate` in a deploy, may
come up before its database answers. It waits rather than exit at once and be restarted
in a loop; past the patience it gives up with the last error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, close_old_connections

logger = logging.getLogger(__name__)

# How long start-up waits for the database (s), and how long between tries.
PATIENCE = 120.0
PAUSE = 1.0


def when_database_answers[T](
    what: str,
    step: Callable[[], T],
    *,
    patience: float = PATIENCE,
    give_up: Callable[[], bool] = lambda: False,
) -> T:
    """Run `step`, retried while the database fails, for up to `patience` seconds."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return step()
        except DatabaseError as error:
            if time.monotonic() >= deadline or give_up():
                raise
            logger.warning("%s: the database does not answer yet (%s); retrying", what, error)
            close_old_connections()
            time.sleep(PAUSE)
