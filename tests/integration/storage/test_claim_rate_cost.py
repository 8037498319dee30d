"""An unrated queue pays nothing for rate limits: its claim reads no rate row, locks none.

Counted in statements, on both engines: a claim of unrated queues runs exactly the statements
it runs with no rate anywhere, even while another queue has one; only a claim of the rated
queue reads (and on PostgreSQL locks) its rate row.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connections
from django.test.utils import CaptureQueriesContext

from scheduler_core.domain.queue_rates import QueueRate
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository
from scheduler_core.storage.claim_limits import limited_queues
from scheduler_core.storage.claim_rates import rated_queues

from .test_claim_rules import add_due

LEASE = timedelta(minutes=1)


def claim_statements(alias: str, queue: DjangoQueue, queues: list[str]) -> list[str]:
    """The SQL a claim of `queues` runs, the rated and limited queues' snapshots being fresh
    (a stale one is re-read inside the claim: one more statement in one claim only)."""
    rated_queues(alias)
    limited_queues(alias)
    with CaptureQueriesContext(connections[alias]) as captured:
        assert queue.claim("w1", queues, 2, LEASE)
    return [query["sql"] for query in captured.captured_queries]


def test_a_claim_of_unrated_queues_runs_no_more_statements_beside_a_rate(
    alias: str, tasks: DjangoTaskRepository, queue: DjangoQueue
) -> None:
    add_due(tasks, 10, queue="plain")
    add_due(tasks, 10, queue="rated")

    before = claim_statements(alias, queue, ["plain"])
    queue.set_rate("rated", QueueRate(100))
    beside = claim_statements(alias, queue, ["plain"])
    rated = claim_statements(alias, queue, ["rated"])

    assert len(beside) == len(before)
    assert not [sql for sql in before + beside if "scheduler_queue_rate" in sql]
    assert [sql for sql in rated if "FROM scheduler_queue_rate" in sql]
