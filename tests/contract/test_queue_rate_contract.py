"""Contract: a queue's rate limit caps its task starts across every claimer.

The rates here are per minute, so the bucket refills one token every several seconds: far
slower than a test runs, which makes the counts exact without a timed test.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.queue_rates import QueueRate

from .factories import TaskFactory
from .kits import StorageKit
from .racing import run_together

LEASE = timedelta(minutes=5)
FIVE_A_MINUTE = QueueRate(5, "minute")


def running_in(kit: StorageKit, queue: str) -> int:
    """How many tasks of `queue` are running now."""
    return kit.tasks.count_by_status(queue)[TaskStatus.RUNNING]


def test_set_replace_and_lift_rates(kit: StorageKit) -> None:
    assert kit.queue.rates() == {}
    assert kit.queue.set_rate("mail", QueueRate(10)) is None
    assert kit.queue.set_rate("mail", FIVE_A_MINUTE) == QueueRate(10)
    per_customer = QueueRate(3, "second", "customer_id")
    kit.queue.set_rate("reports", per_customer)
    assert kit.queue.rates() == {"mail": FIVE_A_MINUTE, "reports": per_customer}
    assert kit.queue.set_rate("reports", None) == per_customer
    assert kit.queue.set_rate("never-rated", None) is None
    assert kit.queue.rates() == {"mail": FIVE_A_MINUTE}


def test_one_big_claim_starts_no_more_than_the_bucket_holds(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(20)])
    kit.queue.set_rate("mail", FIVE_A_MINUTE)

    claimed = kit.queue.claim("w1", ["mail"], 50, LEASE)
    again = kit.queue.claim("w2", ["mail"], 50, LEASE)

    assert len(claimed) == 5
    assert again == []
    assert running_in(kit, "mail") == 5


def test_finished_tasks_give_no_token_back(kit: StorageKit, make_task: TaskFactory) -> None:
    # Unlike a concurrency limit, a rate counts starts: finishing frees nothing.
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(10)])
    kit.queue.set_rate("mail", QueueRate(2, "minute"))
    for task in kit.queue.claim("w1", ["mail"], 10, LEASE):
        task.succeed(None, attempt=task.attempt, now=kit.now())
        kit.tasks.update(task, expected_status=TaskStatus.RUNNING, expected_attempt=task.attempt)

    assert kit.queue.claim("w1", ["mail"], 10, LEASE) == []


def test_small_claims_spend_the_bucket_one_by_one(kit: StorageKit, make_task: TaskFactory) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(10)])
    kit.queue.set_rate("mail", QueueRate(3, "minute"))

    sizes = [len(kit.queue.claim("w1", ["mail"], 2, LEASE)) for _ in range(4)]

    assert sizes == [2, 1, 0, 0]


def test_other_queues_keep_claiming(kit: StorageKit, make_task: TaskFactory) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(5)])
    kit.tasks.add_many([make_task.build(queue="reports") for _ in range(30)])
    kit.queue.set_rate("mail", QueueRate(1, "minute"))

    taken: list[Task] = []
    for _ in range(3):
        taken += kit.queue.claim("w1", ["mail", "reports"], 50, LEASE)

    queues = [task.queue for task in taken]
    assert queues.count("mail") == 1
    assert queues.count("reports") == 30


def test_lifting_a_rate_lets_every_task_start(kit: StorageKit, make_task: TaskFactory) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(6)])
    kit.queue.set_rate("mail", QueueRate(1, "minute"))
    assert len(kit.queue.claim("w1", ["mail"], 10, LEASE)) == 1
    assert kit.queue.claim("w1", ["mail"], 10, LEASE) == []

    kit.queue.set_rate("mail", None)

    assert len(kit.queue.claim("w1", ["mail"], 10, LEASE)) == 5


def test_setting_a_rate_again_fills_the_bucket(kit: StorageKit, make_task: TaskFactory) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(10)])
    kit.queue.set_rate("mail", QueueRate(2, "minute"))
    assert len(kit.queue.claim("w1", ["mail"], 10, LEASE)) == 2

    kit.queue.set_rate("mail", QueueRate(3, "minute"))

    assert len(kit.queue.claim("w1", ["mail"], 10, LEASE)) == 3


@pytest.mark.usefixtures("switch_threads_often")
def test_racing_claimers_never_pass_the_rate(kit: StorageKit, make_task: TaskFactory) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(200)])
    kit.tasks.add_many([make_task.build(queue="reports") for _ in range(100)])
    kit.queue.set_rate("mail", FIVE_A_MINUTE)

    def claim_all(worker: int) -> list[Task]:
        taken: list[Task] = []
        for _ in range(20):
            taken += kit.queue.claim(f"w{worker}", ["mail", "reports"], 4, LEASE)
        return taken

    outcomes = run_together(kit, 8, claim_all)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    mail = [t for o in outcomes if isinstance(o, list) for t in o if t.queue == "mail"]
    assert len(mail) == 5
    assert running_in(kit, "mail") == 5
    assert running_in(kit, "reports") == 100


PER_CUSTOMER = QueueRate(2, "minute", "customer_id")


def customers(tasks: list[Task]) -> Counter[object]:
    """How many of the tasks each customer_id has (None: tasks without one)."""
    return Counter(task.kwargs.get("customer_id") for task in tasks)


def test_a_partitioned_rate_holds_for_each_value_apart(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    for customer in ("acme", 42, None):
        kwargs = {} if customer is None else {"customer_id": customer}
        kit.tasks.add_many([make_task.build(queue="mail", kwargs=kwargs) for _ in range(5)])
    kit.queue.set_rate("mail", PER_CUSTOMER)

    first = kit.queue.claim("w1", ["mail"], 50, LEASE)
    again = kit.queue.claim("w2", ["mail"], 50, LEASE)

    assert customers(first) == {"acme": 2, 42: 2, None: 2}
    assert again == []
    assert running_in(kit, "mail") == 6


def test_a_busy_partition_does_not_hold_back_the_others(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    busy = [make_task.build(queue="mail", kwargs={"customer_id": "busy"}) for _ in range(20)]
    kit.tasks.add_many(busy)
    # Due after the busy customer's twenty, so behind them in claim order.
    quiet = [make_task.build(queue="mail", kwargs={"customer_id": "quiet"}) for _ in range(2)]
    for task in quiet:
        task.run_after = max(t.run_after for t in busy) + timedelta(milliseconds=1)
    kit.tasks.add_many(quiet)
    kit.queue.set_rate("mail", PER_CUSTOMER)

    claimed = kit.queue.claim("w1", ["mail"], 3, LEASE) + kit.queue.claim("w1", ["mail"], 3, LEASE)

    assert customers(claimed) == {"busy": 2, "quiet": 2}


def test_partitioned_and_plain_queues_share_one_claim(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    kit.tasks.add_many([make_task.build(queue="mail", kwargs={"customer_id": 1}) for _ in range(5)])
    kit.tasks.add_many([make_task.build(queue="reports") for _ in range(5)])
    kit.queue.set_rate("mail", PER_CUSTOMER)

    claimed = kit.queue.claim("w1", ["mail", "reports"], 4, LEASE)
    everything = claimed + kit.queue.claim("w1", ["mail", "reports"], 50, LEASE)

    assert len(claimed) == 4
    assert Counter(task.queue for task in everything) == {"mail": 2, "reports": 5}
    # A claim through a partition stamps the first start as the main claim does.
    stored = [kit.tasks.get(task.id) for task in everything]
    assert all(task.first_started_at is not None for task in stored)


@pytest.mark.usefixtures("switch_threads_often")
def test_racing_claimers_never_pass_a_partitions_rate(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    for customer in range(4):
        kwargs = {"customer_id": customer}
        kit.tasks.add_many([make_task.build(queue="mail", kwargs=kwargs) for _ in range(30)])
    kit.queue.set_rate("mail", PER_CUSTOMER)

    def claim_all(worker: int) -> list[Task]:
        taken: list[Task] = []
        for _ in range(10):
            taken += kit.queue.claim(f"w{worker}", ["mail"], 3, LEASE)
        return taken

    outcomes = run_together(kit, 6, claim_all)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    claimed = [t for o in outcomes if isinstance(o, list) for t in o]
    assert customers(claimed) == dict.fromkeys(range(4), 2)
    assert running_in(kit, "mail") == 8
