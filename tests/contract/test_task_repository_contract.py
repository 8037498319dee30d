"""TaskRepository contract: storage, uniqueness, fencing, lookups and the transition log."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from scheduler_core.domain import (
    DuplicateTask,
    RetryPolicy,
    StaleTask,
    Task,
    TaskError,
    TaskNotFound,
    TaskStatus,
)

from .factories import TaskFactory
from .kits import StorageKit

LEASE = timedelta(minutes=5)
# No waiting between attempts, so a failed task is due again at once.
NO_BACKOFF = RetryPolicy(base=timedelta(0), cap=timedelta(0), jitter=0)


def test_an_added_task_reads_back_equal(kit: StorageKit, make_task: TaskFactory) -> None:
    task = make_task.add(args=[1, "a"], kwargs={"b": [True, None]})

    assert kit.tasks.get(task.id) == task


def test_get_of_an_unknown_id_raises_task_not_found(kit: StorageKit) -> None:
    with pytest.raises(TaskNotFound):
        kit.tasks.get(uuid4())


def test_add_refuses_a_taken_id_and_keeps_the_first(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    first = make_task.add(args=["first"])

    with pytest.raises(DuplicateTask):
        kit.tasks.add(make_task.build(id=first.id, args=["second"]))

    assert kit.tasks.get(first.id).args == ["first"]


def test_add_refuses_a_unique_key_held_by_a_live_task(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    first = make_task.add(unique_key="report-42")

    with pytest.raises(DuplicateTask):
        make_task.add(unique_key="report-42")

    assert kit.tasks.find_live_by_unique_key("report-42") == first


def test_a_unique_key_is_free_again_once_its_holder_is_terminal(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    first = make_task.add(unique_key="report-42")
    first.cancel(now=kit.now())
    kit.tasks.update(first, expected_status=TaskStatus.READY, expected_attempt=0)

    second = make_task.add(unique_key="report-42")

    assert kit.tasks.find_live_by_unique_key("report-42") == second
    assert kit.tasks.find_live_by_unique_key("no-such-key") is None


def test_update_refuses_to_revive_a_unique_key_another_live_task_holds(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    old = make_task.add(unique_key="nightly")
    old.cancel(now=kit.now())
    kit.tasks.update(old, expected_status=TaskStatus.READY, expected_attempt=0)
    make_task.add(unique_key="nightly")

    old.retry_now(now=kit.now())
    with pytest.raises(DuplicateTask):
        kit.tasks.update(old, expected_status=TaskStatus.CANCELLED, expected_attempt=0)

    assert kit.tasks.get(old.id).status is TaskStatus.CANCELLED


def test_add_many_stores_every_task(kit: StorageKit, make_task: TaskFactory) -> None:
    tasks = [make_task.build(args=[n]) for n in range(3)]

    kit.tasks.add_many(tasks)

    assert [kit.tasks.get(task.id) for task in tasks] == tasks


@pytest.mark.parametrize("clash", ["stored id", "id twice in batch", "unique key twice in batch"])
def test_add_many_stores_nothing_when_one_task_clashes(
    kit: StorageKit, make_task: TaskFactory, clash: str
) -> None:
    stored = make_task.add()
    fine = make_task.build(unique_key="fine")
    if clash == "stored id":
        bad = [make_task.build(id=stored.id)]
    elif clash == "id twice in batch":
        twin = make_task.build()
        bad = [twin, make_task.build(id=twin.id)]
    else:
        bad = [make_task.build(unique_key="k"), make_task.build(unique_key="k")]

    with pytest.raises(DuplicateTask):
        kit.tasks.add_many([fine, *bad])

    with pytest.raises(TaskNotFound):
        kit.tasks.get(fine.id)
    assert sum(kit.tasks.count_by_status().values()) == 1


def test_update_stores_the_new_state(kit: StorageKit, make_task: TaskFactory) -> None:
    task = make_task.add()
    task.claim("w1", now=kit.now(), lease=LEASE)

    kit.tasks.update(task, expected_status=TaskStatus.READY, expected_attempt=0)

    assert kit.tasks.get(task.id) == task


@pytest.mark.parametrize(
    ("expected_status", "expected_attempt"),
    [(TaskStatus.RUNNING, 2), (TaskStatus.READY, 1), (TaskStatus.READY, 0)],
    ids=["wrong attempt", "wrong status", "both wrong"],
)
def test_update_is_fenced_by_status_and_attempt(
    kit: StorageKit,
    make_task: TaskFactory,
    expected_status: TaskStatus,
    expected_attempt: int,
) -> None:
    task = make_task.add_running("w1", lease=LEASE)
    before = kit.tasks.get(task.id)
    task.succeed("late", attempt=1, now=kit.now())

    with pytest.raises(StaleTask):
        kit.tasks.update(task, expected_status=expected_status, expected_attempt=expected_attempt)

    assert kit.tasks.get(task.id) == before


def test_update_of_an_unknown_task_raises_task_not_found(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    with pytest.raises(TaskNotFound):
        kit.tasks.update(make_task.build(), expected_status=TaskStatus.READY, expected_attempt=0)


def test_delete_removes_the_task_and_its_history(kit: StorageKit, make_task: TaskFactory) -> None:
    task = make_task.add_running("w1")
    kept = make_task.add()

    kit.tasks.delete(task.id)

    with pytest.raises(TaskNotFound):
        kit.tasks.get(task.id)
    assert kit.tasks.transitions(task.id) == []
    assert kit.tasks.get(kept.id) == kept
    with pytest.raises(TaskNotFound):
        kit.tasks.delete(task.id)


def test_find_by_status_orders_by_priority_then_run_after_then_id(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    now = kit.now()
    low = make_task.add(priority=-5, run_after=now - timedelta(hours=1))
    late = make_task.add(priority=5, run_after=now - timedelta(seconds=1))
    early = make_task.add(priority=5, run_after=now - timedelta(seconds=9))
    tie_a, tie_b = sorted([uuid4(), uuid4()])
    make_task.add(id=tie_b, priority=5, run_after=now - timedelta(seconds=1))
    make_task.add(id=tie_a, priority=5, run_after=now - timedelta(seconds=1))
    make_task.add_running("w1")

    found = kit.tasks.find_by_status(TaskStatus.READY, limit=10)

    assert [t.id for t in found] == [early.id, *sorted([late.id, tie_a, tie_b]), low.id]
    assert [t.id for t in kit.tasks.find_by_status(TaskStatus.READY, limit=2)] == [
        t.id for t in found[:2]
    ]


def test_find_expired_leases_returns_running_tasks_whose_lease_ran_out(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    expired = {
        make_task.add_running("w1", lease=timedelta(0)).id,
        make_task.add_running("w2", lease=timedelta(seconds=-30)).id,
    }
    make_task.add_running("w3", lease=timedelta(hours=1))
    make_task.add()

    assert {t.id for t in kit.tasks.find_expired_leases(limit=10)} == expired
    assert len(kit.tasks.find_expired_leases(limit=1)) == 1


def held(*tasks: Task) -> set[tuple[UUID, int]]:
    """The (task id, attempt) pairs a worker holds."""
    return {(task.id, task.attempt) for task in tasks}


def test_extend_leases_pushes_the_held_running_tasks_of_the_worker(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    mine = [make_task.add_running("w1", lease=timedelta(0)) for _ in range(2)]
    other = make_task.add_running("w2", lease=timedelta(0))

    before = kit.now()
    extended = kit.tasks.extend_leases("w1", held(*mine), timedelta(hours=1))
    after = kit.now()

    assert [t.id for t in extended] == sorted(t.id for t in mine)
    for task in extended:
        assert task.lease_expires_at is not None
        assert before + timedelta(hours=1) <= task.lease_expires_at <= after + timedelta(hours=1)
        assert kit.tasks.get(task.id) == task
    assert {t.id for t in kit.tasks.find_expired_leases(limit=10)} == {other.id}
    assert kit.tasks.extend_leases("nobody", held(*mine), timedelta(hours=1)) == []


def test_extend_leases_leaves_running_tasks_the_worker_no_longer_holds(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    """A task running under the worker but not held (its outcome went unwritten) lapses."""
    kept = make_task.add_running("w1", lease=timedelta(0))
    abandoned = make_task.add_running("w1", lease=timedelta(0))

    extended = kit.tasks.extend_leases("w1", held(kept), timedelta(hours=1))

    assert [t.id for t in extended] == [kept.id]
    assert {t.id for t in kit.tasks.find_expired_leases(limit=10)} == {abandoned.id}
    assert kit.tasks.get(abandoned.id).lease_expires_at == abandoned.lease_expires_at
    assert kit.tasks.extend_leases("w1", set(), timedelta(hours=1)) == []
    assert {t.id for t in kit.tasks.find_expired_leases(limit=10)} == {abandoned.id}


def test_extend_leases_is_fenced_by_the_attempt(kit: StorageKit, make_task: TaskFactory) -> None:
    """A pair of an earlier attempt extends nothing; pairs of several attempts mix."""
    first = make_task.add_running("w1", lease=timedelta(0))
    third = make_task.build()
    # As if two attempts had run before this claim.
    third.attempt = 2
    third.claim("w1", now=kit.now(), lease=timedelta(0))
    make_task.store(third)
    assert third.attempt == 3
    stale = {(first.id, first.attempt + 1), (third.id, third.attempt - 1)}

    assert kit.tasks.extend_leases("w1", stale, timedelta(hours=1)) == []
    assert len(kit.tasks.find_expired_leases(limit=10)) == 2

    extended = kit.tasks.extend_leases("w1", held(first, third) | stale, timedelta(hours=1))

    assert {(t.id, t.attempt) for t in extended} == held(first, third)
    assert kit.tasks.find_expired_leases(limit=10) == []


def test_extend_leases_ignores_ids_that_are_not_stored_or_not_running(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    waiting = make_task.add()
    running = make_task.add_running("w1", lease=timedelta(0))

    extended = kit.tasks.extend_leases(
        "w1", held(running) | {(waiting.id, 0), (waiting.id, 1), (uuid4(), 1)}, LEASE
    )

    assert [t.id for t in extended] == [running.id]
    assert kit.tasks.get(waiting.id) == waiting


def test_pending_transitions_are_logged_in_order_and_then_cleared(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    task = make_task.build()
    task.claim("w1", now=kit.now(), lease=LEASE)
    claimed = list(task.pending_transitions)
    kit.tasks.add(task)
    assert task.pending_transitions == []

    task.succeed({"ok": True}, attempt=1, now=kit.now())
    succeeded = list(task.pending_transitions)
    kit.tasks.update(task, expected_status=TaskStatus.RUNNING, expected_attempt=1)

    assert task.pending_transitions == []
    assert kit.tasks.get(task.id).pending_transitions == []
    assert kit.tasks.transitions(task.id) == claimed + succeeded
    assert [(t.from_status, t.to_status) for t in kit.tasks.transitions(task.id)] == [
        (TaskStatus.READY, TaskStatus.RUNNING),
        (TaskStatus.RUNNING, TaskStatus.SUCCEEDED),
    ]


def test_every_field_survives_a_round_trip(kit: StorageKit, make_task: TaskFactory) -> None:
    now = kit.now()
    # A non-UTC offset: storage may normalise the zone, but must keep the instant.
    plus_two = timezone(timedelta(hours=2))
    task = make_task.build(
        args=[1, "two", [3.5, None], {"x": False}],
        kwargs={"to": "ops@example.com", "nested": {"list": [1, 2]}},
        queue="emails",
        priority=42,
        max_attempts=5,
        timeout=12.5,
        unique_key="round-trip",
        enqueued_at=(now - timedelta(minutes=10)).astimezone(plus_two),
        run_after=(now - timedelta(minutes=5)).astimezone(plus_two),
    )
    task.claim("w1", now=now, lease=LEASE)
    try:
        raise ValueError("boom")
    except ValueError as exc:
        error = TaskError.from_exception(exc, attempt=1, failed_at=now, worker_id="w1")
    task.fail(error, attempt=1, now=now, policy=NO_BACKOFF, rng=random.Random(1))
    task.claim("w2", now=now, lease=LEASE)
    task.request_cancel(now=now, actor="ops")
    kit.tasks.add(task)

    running = kit.tasks.get(task.id)
    assert running == task
    assert running.lease_expires_at == now + LEASE
    assert running.worker_ids == ["w1", "w2"]
    assert running.errors == [error]

    task.succeed({"sent": 3, "ratio": 0.25, "ids": ["a", "b"]}, attempt=2, now=now)
    kit.tasks.update(task, expected_status=TaskStatus.RUNNING, expected_attempt=2)

    done = kit.tasks.get(task.id)
    assert done == task
    moments: list[datetime | None] = [
        done.run_after,
        done.enqueued_at,
        done.started_at,
        done.finished_at,
        *(e.failed_at for e in done.errors),
    ]
    assert all(m is not None and m.utcoffset() is not None for m in moments)
