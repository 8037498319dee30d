"""The buffer's lease send times: which buffered claims can no longer prove their lease."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from scheduler_core.domain import Task
from scheduler_core.executor.buffer import TaskBuffer


def a_task() -> Task:
    now = datetime.now(UTC)
    return Task(id=uuid4(), name="tests.noop", run_after=now, enqueued_at=now)


def test_claims_whose_lease_was_last_sent_before_the_cutoff_are_dropped_renewed_ones_kept() -> None:
    buffer = TaskBuffer()
    early, late = a_task(), a_task()
    buffer.add([early], lease_sent_at=10.0)
    buffer.add([late], lease_sent_at=20.0)
    buffer.renew(30.0, [early.id])

    assert buffer.drop_sent_before(5.0) == []
    assert buffer.drop_sent_before(25.0) == [late]
    assert buffer.drop_sent_before(30.0) == []
    assert buffer.drop_sent_before(31.0) == [early]
    assert len(buffer) == 0


def test_a_claim_added_with_an_older_send_time_is_seen_after_a_look_found_nothing() -> None:
    buffer = TaskBuffer()
    buffer.add([a_task()], lease_sent_at=20.0)
    assert buffer.drop_sent_before(15.0) == []

    # A claim given back to the buffer keeps the send time of its claim, older than the rest.
    older = a_task()
    buffer.add([older], lease_sent_at=5.0)

    assert buffer.drop_sent_before(15.0) == [older]
    assert len(buffer) == 1


def test_a_renewal_never_moves_a_send_time_back() -> None:
    buffer = TaskBuffer()
    task = a_task()
    buffer.add([task], lease_sent_at=20.0)
    buffer.renew(10.0, [task.id])

    assert buffer.drop_sent_before(15.0) == []
    assert buffer.drop_sent_before(21.0) == [task]
