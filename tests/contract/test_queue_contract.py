"""Queue contract: which tasks a claim takes, in which order, and waiting for one."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from scheduler_core.domain import QueueEmpty, RetryPolicy, Task, TaskError, TaskStatus

from .factories import TaskFactory
from .kits import StorageKit

LEASE = timedelta(minutes=5)
NO_BACKOFF = RetryPolicy(base=timedelta(0), cap=timedelta(0), jitter=0)
# Generous: only a broken wake-up takes anywhere near this long.
PATIENCE = 5.0


def claim_ids(
    kit: StorageKit, queues: tuple[str, ...] = ("default",), limit: int = 1
) -> list[UUID]:
    """Ids of the tasks one claim took."""
    return [t.id for t in kit.queue.claim("w1", queues, limit, LEASE)]


def test_claims_go_by_priority_then_run_after_then_id(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    now = kit.now()
    low_old = make_task.add(priority=0, run_after=now - timedelta(hours=1))
    high_new = make_task.add(priority=10, run_after=now - timedelta(seconds=1))
    high_old = make_task.add(priority=10, run_after=now - timedelta(seconds=2))
    first_id, second_id = sorted([uuid4(), uuid4()])
    make_task.add(id=second_id, priority=5, run_after=now - timedelta(seconds=1))
    make_task.add(id=first_id, priority=5, run_after=now - timedelta(seconds=1))

    order = [claim_ids(kit)[0] for _ in range(5)]

    assert order == [high_old.id, high_new.id, first_id, second_id, low_old.id]
    assert claim_ids(kit) == []


def test_a_batch_is_the_head_of_the_order_and_comes_back_in_it(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    tasks = [make_task.add(priority=p) for p in (1, 3, 2, 0)]

    claimed = kit.queue.claim("w1", ["default"], 3, LEASE)

    assert [t.priority for t in claimed] == [3, 2, 1]
    assert claim_ids(kit, limit=10) == [tasks[3].id]


def test_queue_order_does_not_override_priority(kit: StorageKit, make_task: TaskFactory) -> None:
    make_task.add(queue="first", priority=0)
    urgent = make_task.add(queue="second", priority=50)

    assert claim_ids(kit, ("first", "second")) == [urgent.id]


def test_only_the_named_queues_are_claimed_from(kit: StorageKit, make_task: TaskFactory) -> None:
    emails = make_task.add(queue="emails")
    make_task.add(queue="reports")

    assert claim_ids(kit, ("emails", "default"), limit=10) == [emails.id]
    assert kit.queue.length("reports") == 1


def test_tasks_not_yet_due_are_never_claimed(kit: StorageKit, make_task: TaskFactory) -> None:
    make_task.add(due=False)
    make_task.add(due=False, priority=100)

    assert claim_ids(kit, limit=10) == []
    assert kit.tasks.count_by_status()[TaskStatus.SCHEDULED] == 2


def test_a_scheduled_task_is_claimable_once_its_run_after_passed(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    task = make_task.add(enqueued_at=kit.now() - timedelta(hours=1))
    assert task.status is TaskStatus.SCHEDULED

    assert claim_ids(kit) == [task.id]


def test_a_claim_runs_the_task_for_the_worker_under_a_lease(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    task = make_task.add()

    before = kit.now()
    [claimed] = kit.queue.claim("w7", ["default"], 1, LEASE)
    after = kit.now()

    assert claimed.id == task.id
    assert claimed.status is TaskStatus.RUNNING
    assert (claimed.attempt, claimed.worker_id, claimed.worker_ids) == (1, "w7", ["w7"])
    assert claimed.started_at is not None and before <= claimed.started_at <= after
    assert claimed.lease_expires_at == claimed.started_at + LEASE
    assert kit.tasks.get(task.id) == claimed
    [transition] = kit.tasks.transitions(task.id)
    assert (transition.to_status, transition.actor, transition.attempt) == (
        TaskStatus.RUNNING,
        "w7",
        1,
    )


def test_the_limit_caps_a_batch(kit: StorageKit, make_task: TaskFactory) -> None:
    for _ in range(5):
        make_task.add()

    assert len(claim_ids(kit, limit=3)) == 3
    assert len(claim_ids(kit, limit=3)) == 2


def test_cancelled_running_and_finished_tasks_are_not_claimed(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    cancelled = make_task.add()
    cancelled.cancel(now=kit.now())
    kit.tasks.update(cancelled, expected_status=TaskStatus.READY, expected_attempt=0)
    make_task.add_running("w2")
    done = make_task.build()
    done.claim("w2", now=kit.now(), lease=LEASE)
    done.succeed(None, attempt=1, now=kit.now())
    kit.tasks.add(done)

    assert claim_ids(kit, limit=10) == []
    assert kit.queue.length() == 0


def test_a_failed_attempt_due_for_retry_is_claimable_again(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add()
    [task] = kit.queue.claim("w1", ["default"], 1, LEASE)
    error = TaskError(
        attempt=1, exception_type="ValueError", message="", traceback="", failed_at=kit.now()
    )
    task.fail(error, attempt=1, now=kit.now(), policy=NO_BACKOFF, rng=random.Random(0))
    kit.tasks.update(task, expected_status=TaskStatus.RUNNING, expected_attempt=1)
    assert task.status is TaskStatus.RETRYING

    [again] = kit.queue.claim("w2", ["default"], 1, LEASE)

    assert (again.id, again.attempt, again.worker_ids) == (task.id, 2, ["w1", "w2"])


def test_length_counts_due_waiting_tasks(kit: StorageKit, make_task: TaskFactory) -> None:
    for _ in range(3):
        make_task.add()
    make_task.add(queue="emails")
    make_task.add(due=False)
    make_task.add_running("w1")

    assert kit.queue.length("default") == 3
    assert kit.queue.length() == 4
    assert kit.queue.length("nowhere") == 0


@pytest.mark.parametrize(
    ("queues", "limit"), [(("default",), 0), (("default",), -1), ((), 1)], ids=str
)
def test_a_claim_needs_a_queue_and_a_positive_limit(
    kit: StorageKit, queues: tuple[str, ...], limit: int
) -> None:
    with pytest.raises(ValueError):
        kit.queue.claim("w1", queues, limit, LEASE)


def test_dequeue_takes_a_due_task_at_once(kit: StorageKit, make_task: TaskFactory) -> None:
    task = make_task.add()

    assert kit.queue.dequeue("w1", ["default"], LEASE, timeout=PATIENCE).id == task.id


def submit_later(kit: StorageKit, task: Task, delay: float) -> threading.Timer:
    """A timer (not started) that stores and enqueues `task` from another thread."""

    def submit() -> None:
        try:
            kit.tasks.add(task)
            kit.queue.enqueue(task)
        finally:
            kit.end_thread()

    return threading.Timer(delay, submit)


def test_dequeue_wakes_for_a_task_added_while_it_waits(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    task = make_task.build()
    submitter = submit_later(kit, task, 0.05)
    started = time.monotonic()
    submitter.start()
    try:
        claimed = kit.queue.dequeue("w1", ["default"], LEASE, timeout=PATIENCE)
    finally:
        submitter.join()

    assert claimed.id == task.id
    assert time.monotonic() - started < PATIENCE / 2


# Below PostgreSQL's poll interval (0.5 s): a wait that ends sooner was woken, not polled.
WOKEN_WITHIN = 0.25


def test_wait_for_work_ends_after_its_timeout_when_nothing_comes(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add(due=False)
    make_task.add(queue="elsewhere")

    started = time.monotonic()
    kit.queue.wait_for_work(["default"], 0.05)

    assert time.monotonic() - started < PATIENCE


def test_wait_for_work_ends_at_once_for_work_announced_since_the_last_wait(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    """What a claimer relies on between a short claim and its next wait: nothing is lost."""
    kit.queue.wait_for_work(["default"], 0)
    task = make_task.build()
    kit.tasks.add(task)
    kit.queue.enqueue(task)

    started = time.monotonic()
    kit.queue.wait_for_work(["default"], PATIENCE)

    assert time.monotonic() - started < WOKEN_WITHIN


def test_wait_for_work_wakes_for_a_task_added_while_it_waits(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    kit.queue.wait_for_work(["default"], 0)
    task = make_task.build()
    submitter = submit_later(kit, task, 0.05)
    started = time.monotonic()
    submitter.start()
    try:
        kit.queue.wait_for_work(["default"], PATIENCE)
    finally:
        submitter.join()

    assert time.monotonic() - started < 0.05 + WOKEN_WITHIN


def test_dequeue_raises_queue_empty_after_the_timeout(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add(due=False)
    make_task.add(queue="elsewhere")

    started = time.monotonic()
    with pytest.raises(QueueEmpty):
        kit.queue.dequeue("w1", ["default"], LEASE, timeout=0.05)
    waited = time.monotonic() - started

    assert 0.05 <= waited < PATIENCE
