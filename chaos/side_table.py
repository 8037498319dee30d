"""The side table: every execution's start and end, written by the chaos tasks themselves.

It lives in the scheduler's database but outside its bookkeeping: the chaos runner creates
it with raw SQL (no migration), and the task code writes to it over its own connection, so
the checker can compare what really ran with what the scheduler recorded.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from typing import Any, Protocol

import psycopg

TABLE = "chaos_execution"
URL_VARIABLE = "CHAOS_SIDE_URL"

CREATE = {
    "postgresql": f"""
        CREATE TABLE IF NOT EXISTS {TABLE} (
            id bigserial PRIMARY KEY,
            task_id varchar(32) NOT NULL,
            attempt integer NOT NULL,
            pid integer NOT NULL,
            phase varchar(5) NOT NULL CHECK (phase IN ('start', 'end')),
            at double precision NOT NULL
        )""",
    "sqlite": f"""
        CREATE TABLE IF NOT EXISTS {TABLE} (
            id integer PRIMARY KEY AUTOINCREMENT,
            task_id varchar(32) NOT NULL,
            attempt integer NOT NULL,
            pid integer NOT NULL,
            phase varchar(5) NOT NULL CHECK (phase IN ('start', 'end')),
            at real NOT NULL
        )""",
}
INSERT = f"INSERT INTO {TABLE} (task_id, attempt, pid, phase, at) VALUES (%s, %s, %s, %s, %s)"
# Writes retried over reconnects: terminated backends and a restarting server are the point.
WRITE_TRIES = 20


class _Connection(Protocol):
    def execute(self, sql: str, params: Any = ..., /) -> Any: ...
    def close(self) -> None: ...


def connect(url: str) -> _Connection:
    """A new autocommit connection to the database named by a DATABASE_URL-style url."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
        connection.isolation_level = None
        connection.execute("PRAGMA busy_timeout=30000")
        return connection
    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def dialect_of(url: str) -> str:
    """'sqlite' or 'postgresql'."""
    return "sqlite" if url.startswith("sqlite:///") else "postgresql"


def create_table(url: str) -> None:
    """Create the side table (the runner does this once, before any task runs)."""
    connection = connect(url)
    try:
        connection.execute(CREATE[dialect_of(url)])
    finally:
        connection.close()


class Recorder:
    """One process's writer to the side table, over its own connection, reconnecting on loss."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sql = INSERT if dialect_of(url) == "postgresql" else INSERT.replace("%s", "?")
        self._connection: _Connection | None = None

    def record(self, task_id: str, attempt: int, phase: str) -> None:
        """Append one start or end row, stamped with this machine's clock (epoch seconds)."""
        params = (task_id, attempt, os.getpid(), phase, time.time())
        for tries in range(WRITE_TRIES):
            try:
                if self._connection is None:
                    self._connection = connect(self.url)
                self._connection.execute(self.sql, params)
                return
            except (psycopg.Error, sqlite3.Error):
                self._drop()
                if tries == WRITE_TRIES - 1:
                    raise
                time.sleep(0.25)

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error, sqlite3.Error):
                self._connection.close()
            self._connection = None


_recorders: dict[int, Recorder] = {}


def recorder() -> Recorder:
    """This process's recorder (a forked slot gets its own, never its parent's connection)."""
    pid = os.getpid()
    if pid not in _recorders:
        _recorders.clear()
        _recorders[pid] = Recorder(os.environ[URL_VARIABLE])
    return _recorders[pid]
