"""The database's own clock: every due and lease decision is taken by it, not by a worker."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connections

from scheduler_core.domain.ports import Clock


class DatabaseClock(Clock):
    """Reads the current time from the database server, so skewed workers agree."""

    def __init__(self, using: str = "default") -> None:
        self.using = using

    def now(self) -> datetime:
        """The database's current time, in UTC."""
        connection = connections[self.using]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # statement_timestamp(), unlike now(), moves on inside a long transaction.
                cursor.execute("SELECT statement_timestamp()")
                moment: datetime = cursor.fetchone()[0]
                return moment.astimezone(UTC)
            # SQLite's 'now' is the host's clock, shared by every process using the file.
            cursor.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
            text: str = cursor.fetchone()[0]
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
