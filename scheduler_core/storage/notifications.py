"""PostgreSQL LISTEN/NOTIFY: idle claimers sleep until a commit announces new work."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from django.db import connections

if TYPE_CHECKING:
    # Imported where used: a worker on SQLite never loads psycopg (most of 0.1 s of its start).
    import psycopg

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "scheduler_task_ready"


def listening(using: str, channel: str) -> psycopg.Connection[Any]:
    """A new autocommit connection to `using`'s server that LISTENs on `channel`."""
    import psycopg

    params = connections[using].get_connection_params()
    # Only plain connection settings apply here; Django's cursor factory and adapters serve
    # its own connections.
    for key in ("cursor_factory", "context"):
        params.pop(key, None)
    connection = psycopg.connect(**params, autocommit=True)
    connection.execute(f"LISTEN {channel}")
    return connection


class TaskNotificationListener:
    """A dedicated autocommit connection LISTENing on the task channel."""

    def __init__(self, using: str) -> None:
        self.using = using
        self._connection: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, returning early (True) when a notification arrives."""
        import psycopg

        with self._lock:
            try:
                connection = self._connect()
                for _ in connection.notifies(timeout=seconds, stop_after=1):
                    return True
                return False
            except psycopg.Error:
                # A dropped connection must not stop the worker: fall back to a poll and
                # reconnect on the next wait.
                logger.warning("notification listener lost its connection", exc_info=True)
                self._drop()
                return False

    def close(self) -> None:
        """Close the listening connection."""
        with self._lock:
            self._drop()

    def _connect(self) -> psycopg.Connection[Any]:
        if self._connection is None or self._connection.closed:
            self._connection = listening(self.using, NOTIFY_CHANNEL)
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
