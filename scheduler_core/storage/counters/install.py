"""Installing, removing and rebuilding the counters on a database connection."""

from __future__ import annotations

from types import ModuleType

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import NotSupportedError

from . import postgres, sqlite


def _sql_for(connection: BaseDatabaseWrapper) -> ModuleType:
    if connection.vendor == "sqlite":
        return sqlite
    if connection.vendor == "postgresql":
        return postgres
    raise NotSupportedError(f"counter triggers are not written for {connection.vendor}")


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            # No parameters: the SQL holds literal % signs (strftime formats, modulo).
            cursor.execute(statement)


def install_counters(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers, then count what the tables already hold."""
    sql = _sql_for(connection)
    _run(connection, sql.DROP + sql.TRIGGERS)
    rebuild_counters(connection)


def uninstall_counters(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (and PostgreSQL's trigger functions); the tables stay."""
    _run(connection, _sql_for(connection).DROP)


def rebuild_counters(connection: BaseDatabaseWrapper) -> None:
    """Recount every counter from the task table and the transition log.

    Exact only while nothing writes the tables: run it in the migration, or with the
    workers stopped. The activity of pruned tasks is lost, and a wait is known only for a
    task's latest start (its row keeps one due time).
    """
    _run(connection, _sql_for(connection).REBUILD)
