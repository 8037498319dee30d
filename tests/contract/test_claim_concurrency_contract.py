"""Races the storage must settle atomically: parallel claims, unique keys, fenced writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

import pytest

from scheduler_core.domain import DuplicateTask, StaleTask, Task, TaskStatus

from .factories import TaskFactory
from .kits import StorageKit
from .racing import run_together

THREADS = 8
TASKS = 5_000
BATCH = 10
LEASE = timedelta(minutes=5)

pytestmark = pytest.mark.usefixtures("switch_threads_often")


def test_parallel_claims_hand_out_every_task_exactly_once(
    kit: StorageKit, make_task: TaskFactory, record_property: Callable[[str, object], None]
) -> None:
    kit.tasks.add_many([make_task.build(priority=n % 7) for n in range(TASKS)])

    def drain(worker: int) -> tuple[list[UUID], int]:
        taken: list[UUID] = []
        claims = 0
        while batch := kit.queue.claim(f"w{worker}", ["default"], BATCH, LEASE):
            claims += 1
            taken += [task.id for task in batch]
        return taken, claims

    outcomes = run_together(kit, THREADS, drain)

    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors == []
    results = [o for o in outcomes if not isinstance(o, BaseException)]
    handed_out = Counter(task_id for taken, _ in results for task_id in taken)
    duplicates = sum(n - 1 for n in handed_out.values())
    missing = TASKS - len(handed_out)
    claims = [count for _, count in results]
    per_thread = [len(taken) for taken, _ in results]
    summary = (
        f"{THREADS} threads claimed {sum(per_thread)} of {TASKS} tasks in {sum(claims)} claims "
        f"(per thread: {per_thread}); duplicates={duplicates} missing={missing}"
    )
    print(summary)
    record_property("claim_summary", summary)
    assert (duplicates, missing) == (0, 0)
    assert kit.tasks.count_by_status()[TaskStatus.RUNNING] == TASKS
    assert kit.queue.length() == 0


def test_only_one_of_many_parallel_adds_wins_a_unique_key(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    tasks = [make_task.build(unique_key="once") for _ in range(THREADS)]

    outcomes = run_together(kit, THREADS, lambda i: kit.tasks.add(tasks[i]))

    assert sum(o is None for o in outcomes) == 1
    assert sum(isinstance(o, DuplicateTask) for o in outcomes) == THREADS - 1
    assert kit.tasks.count_by_status()[TaskStatus.READY] == 1


def test_only_one_of_many_parallel_fenced_writes_wins(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    # Every worker's rescuer may find the same expired task; exactly one may act on it.
    stored = make_task.add_running("w1", lease=timedelta(0))
    copies = [kit.tasks.get(stored.id) for _ in range(THREADS)]

    def finish(i: int) -> None:
        task: Task = copies[i]
        task.succeed(i, attempt=1, now=kit.now())
        kit.tasks.update(task, expected_status=TaskStatus.RUNNING, expected_attempt=1)

    outcomes = run_together(kit, THREADS, finish)

    winners = [i for i, o in enumerate(outcomes) if o is None]
    assert len(winners) == 1
    assert sum(isinstance(o, StaleTask) for o in outcomes) == THREADS - 1
    assert kit.tasks.get(stored.id).result == winners[0]
    assert len(kit.tasks.transitions(stored.id)) == 2
