"""/healthz and /readyz."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client
from pytest_django import Settings

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Worker


def test_healthz_needs_no_database() -> None:
    response = Client().get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_reports_migrations_and_stale_workers(services: Services) -> None:
    long_ago = services.clock.now().replace(year=2000)
    services.workers.register(
        Worker(
            id="dead",
            hostname="h",
            pid=1,
            queues=("default",),
            concurrency=1,
            started_at=long_ago,
            last_heartbeat=long_ago,
        )
    )
    # register() stamps no heartbeat of its own, so the worker is as silent as it was built.
    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "applied",
        "stale_workers": 1,
    }


@pytest.mark.parametrize("backend", ["sqlite"])
def test_readyz_is_503_when_migrations_are_pending(services: Services) -> None:
    with mock.patch("api.health.MigrationExecutor") as executor:
        executor.return_value.migration_plan.return_value = [("a migration", False)]
        response = Client().get("/readyz")

    assert (response.status_code, response.json()["migrations"]) == (503, "pending")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_readyz_is_503_without_a_database_and_says_nothing_more(services: Services) -> None:
    with mock.patch("api.health.MigrationExecutor", side_effect=OperationalError("host=db pw")):
        response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.fixture
def empty_database(tmp_path: Path, settings: Settings, django_db_blocker: Any) -> Iterator[str]:
    """An alias of a new SQLite database without a single table, as the scheduler's.

    Outside pytest-django's test databases, which all hold every table.
    """
    alias = "empty"
    connections.settings[alias] = {**connections.settings["default"], "NAME": str(tmp_path / "e")}
    settings.SCHEDULER = {**settings.SCHEDULER, "DATABASE": alias}
    with django_db_blocker.unblock():
        yield alias
        connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def test_readyz_on_an_empty_database_says_migrations_are_pending(empty_database: str) -> None:
    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "migrations": "pending"}
