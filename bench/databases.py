"""Fresh, throw-away databases for the bench: never the developer's db.sqlite3.

Migrating costs seconds, so each engine is migrated once into a template (a SQLite file, a
PostgreSQL template database) and every run gets a copy of it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import psycopg

from scheduler_core.sqlite_engine.write_turn import database_files

ROOT = Path(__file__).resolve().parents[1]
Kind = Literal["sqlite", "postgres"]
KINDS: tuple[Kind, ...] = ("sqlite", "postgres")
# The server the bench creates its databases on (never one it did not create itself).
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1/test"


def django_env(url: str) -> dict[str, str]:
    """The environment of a Django process (manage.py or bench.child) on database `url`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
        # Per-task INFO lines would measure the log handler, not the scheduler.
        "LOG_LEVEL": "WARNING",
    }


class BenchDatabase:
    """One fresh database: its URL for Django processes and a direct connection for the bench."""

    def __init__(self, kind: Kind, url: str) -> None:
        self.kind = kind
        self.url = url
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: psycopg.Connection[Any] | None = None

    @property
    def env(self) -> dict[str, str]:
        """The environment of a Django process working on this database."""
        return django_env(self.url)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one statement, committed at once (placeholders: %s on both engines)."""
        if self.kind == "sqlite":
            if self._sqlite is None:
                path = self.url.removeprefix("sqlite:///")
                self._sqlite = sqlite3.connect(path, timeout=60, isolation_level=None)
            return self._sqlite.execute(sql.replace("%s", "?"), params).fetchall()
        if self._postgres is None:
            self._postgres = psycopg.connect(self.url, autocommit=True)
        cursor = self._postgres.execute(sql.encode(), params)
        return cursor.fetchall() if cursor.description else []

    def count(self, status: str) -> int:
        """How many tasks are in `status` now.

        Read from the counters the database keeps (docs/counters.md), exact at each commit:
        W2 asks every 50 ms while the workers drain, and a count(*) of 20,000 succeeded
        rows cost the server about 5 ms each time, CPU the workers measured lacked.
        """
        sql = "SELECT COALESCE(SUM(n), 0) FROM scheduler_queue_count WHERE status = %s"
        return int(self.query(sql, [status])[0][0])

    def backend_pids(self) -> list[int]:
        """PostgreSQL server processes serving other clients of this database ([] on SQLite)."""
        if self.kind == "sqlite":
            return []
        rows = self.query(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [int(row[0]) for row in rows]

    def pause(self, queue: str = "default") -> None:
        """Stop claims from `queue` (the queue-pause table the claim reads)."""
        sql = "INSERT INTO scheduler_queue_pause (queue, paused_at) VALUES (%s, %s)"
        self.query(sql, [queue, datetime.now(UTC).isoformat(" ")])

    def resume(self, queue: str = "default") -> None:
        """Let claims take from `queue` again, waking PostgreSQL workers at once."""
        self.query("DELETE FROM scheduler_queue_pause WHERE queue = %s", [queue])
        if self.kind == "postgres":
            self.query("SELECT pg_notify('scheduler_task_ready', %s)", [queue])

    def close(self) -> None:
        """Close the bench's own connection."""
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._postgres is not None:
            self._postgres.close()
            self._postgres = None


class DatabaseServer:
    """Makes fresh migrated databases of one engine, and removes them all at the end."""

    def __init__(self, kind: Kind, postgres_url: str = "") -> None:
        self.kind = kind
        self.server_url = postgres_url or os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        self.prefix = f"bench_{os.getpid()}"
        self.directory = Path(tempfile.mkdtemp(prefix=f"{self.prefix}_"))
        self.created: list[str] = []
        self.template = ""

    def prepare(self) -> None:
        """Create and migrate the template every fresh database copies."""
        if self.kind == "sqlite":
            self.template = str(self.directory / "template.sqlite3")
            migrate(f"sqlite:///{self.template}")
            # The copies must not need the WAL file: fold it into the main file.
            with sqlite3.connect(self.template) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        self.template = f"{self.prefix}_template"
        self._admin(f'CREATE DATABASE "{self.template}"')
        self.created.append(self.template)
        migrate(self._url_of(self.template))

    def fresh(self) -> BenchDatabase:
        """A new database holding the migrated, empty schema."""
        number = len(self.created) + 1
        if self.kind == "sqlite":
            path = self.directory / f"run{number}.sqlite3"
            shutil.copyfile(self.template, path)
            self.created.append(str(path))
            return BenchDatabase("sqlite", f"sqlite:///{path}")
        name = f"{self.prefix}_{number}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return BenchDatabase("postgres", self._url_of(name))

    def drop(self, database: BenchDatabase) -> None:
        """Remove one fresh database once its run is over (1M-row tables take space)."""
        database.close()
        if self.kind == "sqlite":
            for file in database_files(database.url.removeprefix("sqlite:///")):
                Path(file).unlink(missing_ok=True)
            return
        name = urlsplit(database.url).path.lstrip("/")
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def cleanup(self) -> None:
        """Remove every database this server made."""
        if self.kind == "postgres":
            for name in reversed(self.created):
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.directory, ignore_errors=True)

    def _url_of(self, name: str) -> str:
        parts = urlsplit(self.server_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(sql.encode())


def postgres_available(url: str = "") -> str | None:
    """None when the bench's PostgreSQL server answers, else why not."""
    try:
        with psycopg.connect(
            url or os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL), connect_timeout=3
        ):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL server unreachable: {error}".strip()


def migrate(url: str) -> None:
    """Create the schema in the database at `url`."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=django_env(url),
        check=True,
        capture_output=True,
    )


@contextmanager
def server(kind: Kind) -> Iterator[DatabaseServer]:
    """A prepared server of `kind`, cleaned up however the block ends."""
    made = DatabaseServer(kind)
    try:
        made.prepare()
        yield made
    finally:
        made.cleanup()
