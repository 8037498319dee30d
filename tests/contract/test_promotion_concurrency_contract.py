"""Promotion racing claims: a task is claimed once and never shows ready while it runs."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

import pytest

from scheduler_core.domain import TaskStatus

from .delayed import retrying_task, scheduled_task
from .factories import TaskFactory
from .kits import StorageKit
from .racing import run_together

CLAIMERS = 4
PROMOTERS = 4
TASKS = 400
# Small batches make many short steps on each side, so claims and promotions interleave.
BATCH = 5
LEASE = timedelta(minutes=5)


pytestmark = pytest.mark.usefixtures("switch_threads_often")


def test_claims_and_promotions_racing_run_every_task_once_with_a_legal_history(
    kit: StorageKit, make_task: TaskFactory, record_property: Callable[[str, object], None]
) -> None:
    tasks = [
        (scheduled_task if n % 2 else retrying_task)(kit, make_task, due=True, priority=n % 3)
        for n in range(TASKS)
    ]
    # Where each history starts (storing clears the pending transitions) and the attempt a
    # claim must move past exactly once.
    first_status = {
        t.id: t.pending_transitions[0].from_status if t.pending_transitions else t.status
        for t in tasks
    }
    first_attempt = {t.id: t.attempt for t in tasks}
    kit.tasks.add_many(tasks)
    promoters_left = [PROMOTERS]
    promoters_done = threading.Event()
    lock = threading.Lock()

    def promote() -> int:
        promoted = 0
        try:
            while moved := kit.tasks.promote_due(BATCH):
                promoted += moved
        finally:
            with lock:
                promoters_left[0] -= 1
                if promoters_left[0] == 0:
                    promoters_done.set()
        return promoted

    def claim(worker_id: str) -> list[UUID]:
        taken: list[UUID] = []
        # Keep claiming while promotions run: an empty claim then may only mean that a
        # promoter held the remaining rows for a moment.
        while True:
            batch = kit.queue.claim(worker_id, ["default"], BATCH, LEASE)
            taken += [task.id for task in batch]
            if not batch and promoters_done.is_set():
                return taken

    def work(i: int) -> int | list[UUID]:
        return promote() if i < PROMOTERS else claim(f"w{i}")

    outcomes = run_together(kit, PROMOTERS + CLAIMERS, work)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    promoted = sum(o for o in outcomes if isinstance(o, int))
    handed_out = Counter(t for o in outcomes if isinstance(o, list) for t in o)
    summary = f"{promoted} of {TASKS} tasks promoted while {CLAIMERS} threads claimed them all"
    print(summary)
    record_property("promotion_summary", summary)
    assert set(handed_out) == set(first_status)
    assert set(handed_out.values()) == {1}
    counts = kit.tasks.count_by_status()
    assert (counts[TaskStatus.RUNNING], counts[TaskStatus.READY]) == (TASKS, 0)

    promotions = 0
    for task_id, status in first_status.items():
        history = kit.tasks.transitions(task_id)
        # Each move starts where the one before it ended, and the last one ends running.
        current = status
        for record in history:
            assert record.from_status is current, history
            current = record.to_status
        assert current is TaskStatus.RUNNING
        # The one claim is the only move made under the new attempt.
        moves = [t.to_status for t in history if t.attempt > first_attempt[task_id]]
        assert moves == [TaskStatus.RUNNING], history
        promotions += sum(t.actor == "promoter" for t in history)
    assert promotions == promoted
