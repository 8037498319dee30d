"""Parents ending at the same moment on different threads (own connections) settle once."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest

from scheduler_core.domain import Task, TaskStatus

from .kits import StorageKit
from .racing import run_together
from .workflow_steps import claim, enqueue, fail, releases, service, statuses, step, succeed

ROUNDS = 25
PARENTS = 4

pytestmark = pytest.mark.usefixtures("switch_threads_often")


def test_last_parents_finishing_together_release_the_child_exactly_once(
    kit: StorageKit,
) -> None:
    for _ in range(ROUNDS):
        keys = [f"p{n}" for n in range(PARENTS)]
        run = enqueue(kit, *(step(key) for key in keys), step("child", *keys))
        running = [claim(kit, run, key, worker=f"w{n}") for n, key in enumerate(keys)]

        # Half the parents end through the set-based write, half one by one.
        outcomes = run_together(kit, PARENTS, _succeed_nth(kit, running))

        assert outcomes == [True] * PARENTS
        child = kit.workflows.step(run.id, "child")
        assert (child.status, child.parents_left) == (TaskStatus.READY, 0)
        assert releases(kit, child.id) == ["parents succeeded"]


def _succeed_nth(kit: StorageKit, running: list[Task]) -> Callable[[int], bool]:
    return lambda n: succeed(kit, running[n], n, set_based=n % 2 == 0)


def test_parents_with_overlapping_children_finish_together_without_deadlock(
    kit: StorageKit,
) -> None:
    for _ in range(ROUNDS):
        children = [step(f"c{n}", "a", "b") for n in range(6)]
        run = enqueue(kit, step("a"), step("b"), *children)
        running = [claim(kit, run, "a", worker="w1"), claim(kit, run, "b", worker="w2")]

        outcomes = run_together(kit, 2, _succeed_nth(kit, running))

        assert outcomes == [True, True]
        for n in range(6):
            child = kit.workflows.step(run.id, f"c{n}")
            assert child.status is TaskStatus.READY
            assert releases(kit, child.id) == ["parents succeeded"]


def test_a_failing_and_a_succeeding_parent_together_cancel_the_child_once(
    kit: StorageKit,
) -> None:
    for _ in range(ROUNDS):
        run = enqueue(kit, step("ok"), step("bad", max_attempts=1), step("child", "ok", "bad"))
        ok, bad = claim(kit, run, "ok", worker="w1"), claim(kit, run, "bad", worker="w2")

        outcomes = run_together(kit, 2, _end_one_way_or_the_other(kit, ok, bad))

        assert outcomes == [True, None]
        child = kit.workflows.step(run.id, "child")
        assert (child.status, child.upstream_failed) == (TaskStatus.CANCELLED, "bad")
        assert [t.reason for t in kit.tasks.transitions(child.id)] == ["upstream failed: bad"]


def _end_one_way_or_the_other(kit: StorageKit, ok: Task, bad: Task) -> Callable[[int], object]:
    return lambda n: fail(kit, bad) if n else succeed(kit, ok)


def test_a_retry_racing_another_parents_success_leaves_the_child_counting_right(
    kit: StorageKit,
) -> None:
    for _ in range(ROUNDS):
        run = enqueue(kit, step("a", max_attempts=1), step("b"), step("c", "a", "b"))
        fail(kit, claim(kit, run, "a", worker="w1"))
        b = claim(kit, run, "b", worker="w2")

        assert run_together(kit, 2, _succeed_or_retry(kit, b, run.id)) == [True, 1]
        # Whichever committed first, c now waits for a alone; a's success releases it.
        c = kit.workflows.step(run.id, "c")
        assert (c.status, c.parents_left) == (TaskStatus.BLOCKED, 1)
        succeed(kit, claim(kit, run, "a", worker="w3"))
        assert statuses(kit, run)["c"] is TaskStatus.READY


def _succeed_or_retry(kit: StorageKit, b: Task, run_id: UUID) -> Callable[[int], object]:
    def act(n: int) -> object:
        if n:
            return service(kit).retry_failed(run_id, actor="op").changed
        return succeed(kit, b, set_based=False)

    return act
