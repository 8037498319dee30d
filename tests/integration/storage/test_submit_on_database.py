"""Submitting through the services onto a real database: stamps, unique keys, all or nothing."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import psycopg
import pytest
from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import DuplicateTask, TaskNotFound, TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.storage import DjangoTaskRepository
from scheduler_core.storage.notifications import NOTIFY_CHANNEL


def test_a_submit_due_at_once_is_stamped_by_the_database_clock(
    services: Services, tasks: DjangoTaskRepository
) -> None:
    before = tasks.clock.now()

    task = services.tasks.submit(SubmitRequest(name="demo.noop", args=["ü", 10**30])).task

    after = tasks.clock.now()
    assert before <= task.enqueued_at == task.run_after <= after
    assert tasks.get(task.id) == task
    assert services.tasks.counts()[TaskStatus.READY] == 1


def test_a_delayed_submit_keeps_its_run_after(
    services: Services, tasks: DjangoTaskRepository
) -> None:
    later = tasks.clock.now() + timedelta(hours=1)

    task = services.tasks.submit(SubmitRequest(name="demo.noop", run_after=later)).task

    assert task.status is TaskStatus.SCHEDULED
    assert tasks.get(task.id).run_after == later


def test_a_submit_with_a_held_unique_key_returns_the_holder(services: Services) -> None:
    first = services.tasks.submit(SubmitRequest(name="demo.noop", unique_key="nightly")).task

    again = services.tasks.submit(SubmitRequest(name="demo.noop", unique_key="nightly")).task

    assert again.id == first.id
    assert sum(services.tasks.counts().values()) == 1


def test_a_submit_with_a_taken_id_raises_and_stores_nothing_more(services: Services) -> None:
    first = services.tasks.submit(SubmitRequest(name="demo.noop")).task

    with pytest.raises(DuplicateTask):
        services.tasks.submit(SubmitRequest(name="demo.noop", id=first.id, args=[2]))

    assert services.tasks.status(first.id).args == []
    assert sum(services.tasks.counts().values()) == 1


def test_submit_many_resolves_unique_keys_against_stored_and_within_the_batch(
    services: Services,
) -> None:
    held = services.tasks.submit(SubmitRequest(name="demo.noop", unique_key="held")).task

    resolved = services.tasks.submit_many(
        [
            SubmitRequest(name="demo.noop", unique_key="held"),
            SubmitRequest(name="demo.noop", unique_key="fresh", args=[1]),
            SubmitRequest(name="demo.noop", unique_key="fresh", args=[2]),
            SubmitRequest(name="demo.noop"),
        ]
    )

    assert resolved[0].id == held.id
    assert resolved[1].id == resolved[2].id
    assert services.tasks.status(resolved[1].id).args == [1]
    assert services.tasks.counts()[TaskStatus.READY] == 3


def test_submit_many_with_an_id_twice_stores_none_of_the_batch(services: Services) -> None:
    twin = uuid4()
    batch = [
        SubmitRequest(name="demo.noop", args=[1]),
        SubmitRequest(name="demo.noop", id=twin),
        SubmitRequest(name="demo.noop", id=twin),
    ]

    with pytest.raises(DuplicateTask):
        services.tasks.submit_many(batch)

    assert sum(services.tasks.counts().values()) == 0
    with pytest.raises(TaskNotFound):
        services.tasks.status(twin)


def test_submit_many_stores_a_full_batch_with_the_counts(services: Services) -> None:
    later = services.clock.now() + timedelta(hours=1)
    batch = [SubmitRequest(name="demo.noop", args=[n]) for n in range(998)] + [
        SubmitRequest(name="demo.noop", queue="emails", run_after=later),
        SubmitRequest(name="demo.flaky", queue="emails", kwargs={"k": "v"}),
    ]

    stored = services.tasks.submit_many(batch)

    assert [task.args for task in stored[:998]] == [[n] for n in range(998)]
    assert services.tasks.status(stored[-1].id) == stored[-1]
    assert services.tasks.counts("default")[TaskStatus.READY] == 998
    assert services.tasks.counts("emails")[TaskStatus.SCHEDULED] == 1
    assert services.tasks.counts("emails")[TaskStatus.READY] == 1


def test_a_submit_due_at_once_wakes_listeners_exactly_once(
    backend: str, alias: str, services: Services
) -> None:
    if backend != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    params = connections[alias].get_connection_params()
    for key in ("cursor_factory", "context"):
        params.pop(key, None)
    with psycopg.connect(**params, autocommit=True) as listening:
        listening.execute(f"LISTEN {NOTIFY_CHANNEL}")

        services.tasks.submit(SubmitRequest(name="demo.noop"))

        # The INSERT carried the NOTIFY; the queue must not send a second one after it.
        received = [notify.payload for notify in listening.notifies(timeout=1.0)]
    assert received == ["default"]
