"""An unlimited queue pays nothing for concurrency limits on PostgreSQL, and a stale view of
which queues are limited never lets a queue pass its limit.

Every claim used to open with a `scheduler_queue_limit ... FOR UPDATE` round trip, limits
or not. Now a claim whose queues the process's snapshot says are unlimited is one
statement; a limit another process set within the snapshot's second is honoured by the
claim statement itself, which skips queues with a limit row it did not lock. With no
limit and no rate to apply the claim needs no transaction block either: one round trip
where it took four (BEGIN, the limits, the claim, COMMIT).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from scheduler_core.models import QueueLimit, TaskRecord
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository
from scheduler_core.storage.claim_limits import forget_limited_queues
from scheduler_core.storage.claim_rates import rated_queues

from .test_claim_rules import add_due

LEASE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("SQLite counts limits in-process under the write lock it already holds")


def running(alias: str, queue: str) -> int:
    return TaskRecord.objects.using(alias).filter(queue=queue, status="running").count()


def test_a_claim_of_unlimited_queues_is_one_statement_beside_a_limit(
    alias: str, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    add_due(tasks, 10, queue="plain")
    queue.set_limit("mail", 1)
    queue.claim("w1", ["plain"], 1, LEASE)  # reads both snapshots
    rated_queues(alias)
    with CaptureQueriesContext(connections[alias]) as captured:
        assert len(queue.claim("w1", ["plain", "other"], 2, LEASE)) == 2
    statements = [query["sql"] for query in captured.captured_queries]
    # Not even BEGIN and COMMIT: one statement is its own transaction.
    assert len(statements) == 1, statements
    assert not [sql for sql in statements if "max_running" in sql]


def test_a_claim_of_a_limited_queue_still_locks_and_counts(
    alias: str, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    add_due(tasks, 10, queue="mail")
    queue.set_limit("mail", 3)
    with CaptureQueriesContext(connections[alias]) as captured:
        assert len(queue.claim("w1", ["mail"], 10, LEASE)) == 3
    assert [q["sql"] for q in captured.captured_queries if "max_running" in q["sql"]]
    assert running(alias, "mail") == 3


def test_a_limit_set_elsewhere_holds_while_this_process_thinks_the_queue_unlimited(
    alias: str, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    add_due(tasks, 10, queue="mail")
    add_due(tasks, 10, queue="plain")
    forget_limited_queues(alias)
    queue.claim("w1", ["plain"], 1, LEASE)  # the snapshot: nothing is limited
    # Another process sets the limit: this one's snapshot does not know for up to a second.
    QueueLimit.objects.using(alias).create(queue="mail", max_running=2)

    claimed = queue.claim("w1", ["mail", "plain"], 10, LEASE)

    assert running(alias, "mail") == 0, "a queue claimed past a limit the claim never counted"
    assert {task.queue for task in claimed} == {"plain"}
    forget_limited_queues(alias)  # as a second later
    assert len(queue.claim("w1", ["mail"], 10, LEASE)) == 2
    assert running(alias, "mail") == 2
