"""A worker's claim and outcome round, and a submit, are prepared on PostgreSQL.

Planning the claim cost the server about as much as running it, and Django binds every
parameter on the client, so the server planned each claim afresh (storage/prepared.py).
Django turns psycopg's preparing off for the sake of poolers in transaction mode; it is
turned back on for these statements only, and SCHEDULER["PREPARED_STATEMENTS"] = False
keeps them unprepared too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from pytest_django import Settings

from scheduler_core.bootstrap import Services
from scheduler_core.conf import conf_from_mapping
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.executor.codec import Outcome
from scheduler_core.executor.held import HeldAttempts
from scheduler_core.executor.outcomes import OutcomeRecorder
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

from .test_claim_rules import add_due

LEASE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("prepared statements are PostgreSQL's")


def prepared(alias: str) -> list[str]:
    """The statements prepared on this process's connection to the database."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def claim_and_record(
    alias: str, services: Services, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    add_due(tasks, 4)
    claimed = queue.claim("w1", ["default"], 4, LEASE)
    recorder = OutcomeRecorder(services, alias, HeldAttempts())
    done = [
        (task, Outcome(task_id=task.id, attempt=task.attempt, succeeded=True))
        for task in claimed[:2]
    ]
    recorder.record_many(done, claimed[2:])


def forget_prepared(alias: str) -> None:
    # A fresh connection: nothing prepared on it yet.
    connections[alias].close()


def test_the_claim_and_the_round_are_prepared_and_nothing_else(
    alias: str, services: Services, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    forget_prepared(alias)
    claim_and_record(alias, services, tasks, queue)
    # Plain Django statements, run again and again, stay unprepared.
    for _ in range(10):
        assert tasks.get(add_due(tasks, 1)[0].id)

    statements = prepared(alias)

    assert len(statements) == 2, statements
    assert any("WITH picked AS" in sql for sql in statements)
    assert any("WITH locked AS MATERIALIZED" in sql for sql in statements)


def test_a_submit_is_prepared(alias: str, services: Services) -> None:
    forget_prepared(alias)

    for _ in range(3):
        services.tasks.submit(SubmitRequest(name="demo.noop"))

    assert [sql for sql in prepared(alias) if "WITH inserted AS" in sql]


def test_a_start_stamped_on_its_own_is_prepared(
    alias: str, services: Services, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    # A task that outlives a writer round has its start stamped alone (no outcome with it).
    add_due(tasks, 3)
    claimed = queue.claim("w1", ["default"], 2, LEASE) + queue.claim("w2", ["default"], 1, LEASE)
    forget_prepared(alias)

    OutcomeRecorder(services, alias, HeldAttempts()).mark_started(claimed)

    assert [sql for sql in prepared(alias) if "SET attempt_started_at" in sql]
    assert all(tasks.get(task.id).attempt_started_at is not None for task in claimed)


def test_prepared_statements_can_be_turned_off(
    alias: str,
    services: Services,
    tasks: DjangoTaskRepository,
    queue: DjangoQueue,
    settings: Settings,
) -> None:
    settings.SCHEDULER = {**settings.SCHEDULER, "PREPARED_STATEMENTS": False}
    forget_prepared(alias)

    claim_and_record(alias, services, tasks, queue)
    services.tasks.submit(SubmitRequest(name="demo.noop"))
    claimed = queue.claim("w1", ["default"], 1, LEASE)
    OutcomeRecorder(services, alias, HeldAttempts()).mark_started(claimed)

    assert claimed
    assert prepared(alias) == []


@pytest.mark.parametrize("value", ["no", 0, None])
def test_the_setting_takes_only_true_or_false(value: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="PREPARED_STATEMENTS"):
        conf_from_mapping({"PREPARED_STATEMENTS": value})
