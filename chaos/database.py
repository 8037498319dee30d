"""A dedicated database per run: a new PostgreSQL database or a temporary SQLite file."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from scheduler_core.sqlite_engine.write_turn import database_files

DEFAULT_SERVER = "postgres://postgres@127.0.0.1/test"


@dataclass(frozen=True, slots=True)
class RunDatabase:
    """Where a run keeps its tables; `drop()` removes it afterwards."""

    url: str
    dialect: str
    server: str = ""
    name: str = ""

    def drop(self) -> None:
        """Remove the database (PostgreSQL) or the file (SQLite)."""
        if self.dialect == "sqlite":
            path = Path(self.url.removeprefix("sqlite:///"))
            for file in database_files(str(path)):
                Path(file).unlink(missing_ok=True)
            path.parent.rmdir()
            return
        with psycopg.connect(self.server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def create(kind: str, prefix: str) -> RunDatabase:
    """A fresh, empty database named after this process (`<prefix>_<pid>`), never the dev one."""
    name = f"{prefix}_{os.getpid()}"
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix=f"{prefix}-")) / f"{name}.sqlite3"
        return RunDatabase(url=f"sqlite:///{path}", dialect="sqlite")
    server = (
        os.environ.get("CHAOS_POSTGRES_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or DEFAULT_SERVER
    )
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    return RunDatabase(url=url, dialect="postgresql", server=server, name=name)


def terminate_backends(database: RunDatabase) -> int:
    """pg_terminate_backend every connection to the run's database; how many were cut."""
    with psycopg.connect(database.server, autocommit=True, connect_timeout=5) as connection:
        rows = connection.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database.name],
        ).fetchone()
    return int(rows[0]) if rows else 0


def connection_count(database: RunDatabase, application: str) -> int:
    """Open connections to the run's database from one application_name (pg_stat_activity)."""
    with psycopg.connect(database.server, autocommit=True, connect_timeout=5) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            [database.name, application],
        ).fetchone()
    return int(row[0]) if row else 0


RESTART_COMMANDS = (
    ["pg_ctlcluster", "15", "main", "restart"],
    ["service", "postgresql", "restart"],
)


def restart_server(database: RunDatabase) -> str:
    """Restart the local PostgreSQL server; '' on success, else why it could not be done."""
    problems = []
    for command in RESTART_COMMANDS:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as error:
            problems.append(f"{' '.join(command)}: {error}")
            continue
        if done.returncode == 0:
            _wait_for(database.server)
            return ""
        problems.append(f"{' '.join(command)}: exit {done.returncode} {done.stderr.strip()[:200]}")
    return "; ".join(problems)


def _wait_for(server: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(server, connect_timeout=2):
                return
        except psycopg.Error:
            time.sleep(0.5)
