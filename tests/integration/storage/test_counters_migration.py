"""Migration 0008 installs its frozen counter SQL, backfills, and reverses, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.migrations._0008_counters_sql import BY_VENDOR
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository
from scheduler_core.storage.counters import postgres, sqlite

from .counter_oracle import counted, group_by_count
from .test_counters import LEASE

APP = "scheduler_core"
BEFORE = "0007_queue_limits"
COUNTERS = "0008_counters"
TRIGGERS = {
    "sched_count_task_insert",
    "sched_count_task_update",
    "sched_count_task_delete",
    "sched_count_event_insert",
}
# PostgreSQL also empties the queue counts when the task table is truncated.
POSTGRES_TRIGGERS = TRIGGERS | {"sched_count_task_truncate"}
COUNTER_TABLES = {"scheduler_queue_count", "scheduler_activity_minute", "scheduler_task_totals"}


def migrate(alias: str, target: str) -> None:
    call_command("migrate", APP, target, database=alias, verbosity=0)


def newest_migration(alias: str) -> str:
    [(_, name)] = MigrationLoader(connections[alias]).graph.leaf_nodes(APP)
    return str(name)


def installed_triggers(alias: str) -> dict[str, str]:
    """Counter trigger name -> the SQL the database holds for it (its function's, on PG)."""
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'sched_count_%'"
            )
        else:
            cursor.execute(
                "SELECT t.tgname, p.prosrc FROM pg_trigger AS t "
                "JOIN pg_proc AS p ON p.oid = t.tgfoid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE 'sched_count_%'"
            )
        return dict(cursor.fetchall())


def tables(alias: str) -> set[str]:
    return set(connections[alias].introspection.table_names())


@pytest.fixture
def newest(alias: str) -> Iterator[str]:
    """The newest migration; the database is migrated back to it whatever the test did."""
    name = newest_migration(alias)
    yield name
    migrate(alias, name)


@pytest.fixture
def live_sql_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live counter modules hold SQL that cannot run: the migration must not read them."""
    for live in (postgres, sqlite):
        module: ModuleType = live
        for name in ("DROP", "TRIGGERS", "REBUILD"):
            monkeypatch.setattr(module, name, ["THIS IS NOT SQL"])


def test_0008_installs_its_frozen_triggers_and_counts_the_rows_already_stored(
    services: Services, alias: str, newest: str, live_sql_unreadable: None
) -> None:
    services.tasks.submit_many(
        [SubmitRequest(name="demo.noop", queue=q) for q in ("alpha", "alpha", "beta")]
    )
    DjangoQueue(DjangoTaskRepository(alias)).claim("w1", ["alpha"], 1, LEASE)
    vendor = connections[alias].vendor
    frozen = BY_VENDOR[vendor]

    migrate(alias, BEFORE)
    assert installed_triggers(alias) == {}
    assert not COUNTER_TABLES & tables(alias)

    migrate(alias, COUNTERS)
    triggers = installed_triggers(alias)
    if vendor == "sqlite":
        assert set(triggers) == TRIGGERS
        assert sorted(triggers.values()) == sorted(sql.strip() for sql in frozen.triggers)
    else:
        assert set(triggers) == POSTGRES_TRIGGERS
        # Each trigger's function body is one of the frozen functions', as written there.
        assert all(any(body in sql for sql in frozen.triggers) for body in triggers.values())
    # The backfill counted the rows stored while no trigger was there.
    assert tables(alias) >= COUNTER_TABLES
    assert (
        counted(alias)
        == group_by_count(alias)
        == {
            ("alpha", "running"): 1,
            ("alpha", "ready"): 1,
            ("beta", "ready"): 1,
        }
    )

    migrate(alias, BEFORE)
    assert installed_triggers(alias) == {}
    assert not COUNTER_TABLES & tables(alias)


def test_counting_goes_on_after_migrating_back_and_forth(
    services: Services, alias: str, newest: str
) -> None:
    migrate(alias, BEFORE)
    migrate(alias, newest)

    services.tasks.submit_many([SubmitRequest(name="demo.noop", queue="gamma")] * 2)
    DjangoQueue(DjangoTaskRepository(alias)).claim("w1", ["gamma"], 1, LEASE)

    assert (
        counted(alias)
        == group_by_count(alias)
        == {
            ("gamma", "ready"): 1,
            ("gamma", "running"): 1,
        }
    )
