"""Contract: a queue's concurrency limit caps its running tasks across every claimer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler_core.domain import Task, TaskStatus

from .factories import TaskFactory
from .kits import StorageKit
from .racing import run_together

LEASE = timedelta(minutes=5)
THREADS = 8


def running_in(kit: StorageKit, queue: str) -> int:
    """How many tasks of `queue` are running now."""
    return kit.tasks.count_by_status(queue)[TaskStatus.RUNNING]


def finish(kit: StorageKit, task: Task) -> None:
    """Complete a claimed task, as its worker would."""
    task.succeed(None, attempt=task.attempt, now=kit.now())
    kit.tasks.update(task, expected_status=TaskStatus.RUNNING, expected_attempt=task.attempt)


def test_set_and_lift_limits(kit: StorageKit) -> None:
    assert kit.queue.limits() == {}
    kit.queue.set_limit("mail", 3)
    kit.queue.set_limit("reports", 1)
    kit.queue.set_limit("mail", 5)
    assert kit.queue.limits() == {"mail": 5, "reports": 1}
    kit.queue.set_limit("reports", None)
    kit.queue.set_limit("never-limited", None)
    assert kit.queue.limits() == {"mail": 5}


def test_setting_a_limit_returns_the_one_it_replaced(kit: StorageKit) -> None:
    assert kit.queue.set_limit("mail", 3) is None
    assert kit.queue.set_limit("mail", 5) == 3
    assert kit.queue.set_limit("mail", 5) == 5
    assert kit.queue.set_limit("mail", None) == 5
    assert kit.queue.set_limit("mail", None) is None
    assert kit.queue.limits() == {}


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "3"])
def test_a_limit_must_be_a_positive_whole_number(kit: StorageKit, bad: object) -> None:
    with pytest.raises(ValueError, match="whole number"):
        kit.queue.set_limit("mail", bad)  # type: ignore[arg-type]
    assert kit.queue.limits() == {}


def test_one_big_claim_takes_no_more_than_the_limit(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(20)])
    kit.queue.set_limit("mail", 3)

    claimed = kit.queue.claim("w1", ["mail"], 50, LEASE)
    again = kit.queue.claim("w2", ["mail"], 50, LEASE)

    assert len(claimed) == 3
    assert again == []
    assert running_in(kit, "mail") == 3


def test_tasks_already_running_count_against_the_limit(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add_running("w0", queue="mail")
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(5)])
    kit.queue.set_limit("mail", 2)

    assert len(kit.queue.claim("w1", ["mail"], 10, LEASE)) == 1


def test_a_finished_task_frees_its_slot(kit: StorageKit, make_task: TaskFactory) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(5)])
    kit.queue.set_limit("mail", 2)
    first = kit.queue.claim("w1", ["mail"], 10, LEASE)
    assert kit.queue.claim("w1", ["mail"], 10, LEASE) == []

    finish(kit, first[0])
    [freed] = kit.queue.claim("w2", ["mail"], 10, LEASE)

    assert freed.id not in {task.id for task in first}
    assert running_in(kit, "mail") == 2


def test_lifting_a_limit_lets_every_task_be_claimed(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(6)])
    kit.queue.set_limit("mail", 1)
    assert len(kit.queue.claim("w1", ["mail"], 10, LEASE)) == 1

    kit.queue.set_limit("mail", None)

    assert len(kit.queue.claim("w1", ["mail"], 10, LEASE)) == 5


def test_other_queues_stay_unlimited(kit: StorageKit, make_task: TaskFactory) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(5)])
    kit.tasks.add_many([make_task.build(queue="reports") for _ in range(30)])
    kit.queue.set_limit("mail", 1)

    first = kit.queue.claim("w1", ["mail", "reports"], 50, LEASE)
    second = kit.queue.claim("w1", ["mail", "reports"], 50, LEASE)

    taken = [task.queue for task in first + second]
    assert taken.count("mail") == 1
    assert taken.count("reports") == 30
    assert running_in(kit, "mail") == 1


@pytest.mark.usefixtures("switch_threads_often")
def test_racing_claimers_never_pass_the_limit(kit: StorageKit, make_task: TaskFactory) -> None:
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(200)])
    kit.tasks.add_many([make_task.build(queue="reports") for _ in range(200)])
    kit.queue.set_limit("mail", 5)

    def claim_all(worker: int) -> list[Task]:
        taken: list[Task] = []
        for _ in range(20):
            taken += kit.queue.claim(f"w{worker}", ["mail", "reports"], 4, LEASE)
        return taken

    outcomes = run_together(kit, THREADS, claim_all)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    mail = [t for o in outcomes if isinstance(o, list) for t in o if t.queue == "mail"]
    assert len(mail) == 5
    assert running_in(kit, "mail") == 5
    assert running_in(kit, "reports") == 200


@pytest.mark.usefixtures("switch_threads_often")
def test_racing_claimers_and_finishers_keep_to_the_limit(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    # Each claimer checks the count of running tasks right after each claim: with a limit of
    # 3 and every claimer finishing what it took, no look may ever see more than 3 running.
    kit.tasks.add_many([make_task.build(queue="mail") for _ in range(60)])
    kit.queue.set_limit("mail", 3)

    def claim_and_finish(worker: int) -> tuple[int, int]:
        done = peak = 0
        for _ in range(200):
            batch = kit.queue.claim(f"w{worker}", ["mail"], 3, LEASE)
            peak = max(peak, running_in(kit, "mail"))
            for task in batch:
                finish(kit, task)
            done += len(batch)
            if kit.queue.length("mail") == 0:
                break
        return done, peak

    outcomes = run_together(kit, 4, claim_and_finish)

    results = [o for o in outcomes if isinstance(o, tuple)]
    assert len(results) == 4, outcomes
    assert max(peak for _, peak in results) <= 3
    assert sum(done for done, _ in results) == 60
