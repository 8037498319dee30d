"""In-process access to the run's database through Django, retried over lost connections.

The runner cuts its own connections too (pg_terminate_backend, a server restart), so every
call here is retried after closing them, for up to a minute.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import DatabaseError, InterfaceError, connection, connections
from prometheus_client.parser import text_string_to_metric_families

from .snapshot import Snapshot, load

TERMINAL_SQL = "status IN ('succeeded', 'failed', 'cancelled')"


def retrying[T](call: Callable[[], T], tries: int = 120) -> T:
    """Call, retrying database errors after dropping the connections, every half second."""
    for attempt in range(tries):
        try:
            return call()
        except (DatabaseError, InterfaceError):
            connections.close_all()
            if attempt == tries - 1:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of one query, retried."""

    def query() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
            return list(cursor.fetchall())

    return retrying(query)


def unfinished() -> int:
    """Tasks not yet terminal."""
    return int(rows(f"SELECT count(*) FROM scheduler_task WHERE NOT ({TERMINAL_SQL})")[0][0])


def snapshot(log: Path | None = None) -> Snapshot:
    """Everything the checker needs, read in one go (executions from the log at `log`)."""

    def read() -> Snapshot:
        with connection.cursor() as cursor:
            return load(cursor, log)

    return retrying(read)


def scrape(url: str, timeout: float = 30, tries: int = 10) -> dict[str, float]:
    """The /metrics counters (name without prefix) and task gauges (`status:<s>`, summed).

    Retried: after pg_terminate_backend or a restart, each dead connection in the web
    server's pool fails one request (a 500) before the pool discards it.
    """
    for attempt in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                text = response.read().decode()
            break
        except OSError:
            if attempt == tries - 1:
                raise
            time.sleep(1)
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if family.name.startswith("scheduler_tasks_") and sample.name.endswith("_total"):
                name = sample.name.removeprefix("scheduler_tasks_").removesuffix("_total")
                values[name] = sample.value
            elif sample.name == "scheduler_tasks" and sample.value:
                key = f"status:{sample.labels['status']}"
                values[key] = values.get(key, 0) + sample.value
    return values
