"""A worker's supervisor hears its process slots in its main loop, not through a thread each.

Each slot used to have a reader thread that received its outcomes and queued them for the
main thread: every task then cost two thread wake-ups and two hand-overs of the GIL (about
50 µs of the supervisor's CPU per task in a drain). The main loop now waits on the slots'
pipes itself (executor/inbox.py). Counted by the supervisor's threads, which no longer grow
with the slots, and checked by what the slots still report: outcomes, and crashes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus

from .conftest import WorkerProcess, wait_until

pytestmark = pytest.mark.slow


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def settled(services: Services, tasks: list[Task]) -> Callable[[], bool]:
    return lambda: all(services.tasks.status(task.id).is_terminal() for task in tasks)


def test_the_supervisor_has_no_thread_per_slot(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    few = start_worker("--concurrency", "1", "--queues", "few")
    many = start_worker("--concurrency", "6", "--queues", "many")
    tasks = [submit("noop", queue=queue) for queue in ("few", "many") for _ in range(10)]
    # Each has run tasks, so every thread either starts, at once or on demand, has started.
    wait_until(settled(services, tasks), what="the tasks to run")

    assert threads(many.pid) == threads(few.pid)


def test_outcomes_and_crashes_of_slots_still_reach_the_supervisor(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    # --max-tasks-per-child 1: every slot exits after its task and is replaced, so each
    # outcome is followed at once by its slot's exit, which must not swallow it.
    start_worker("--concurrency", "2", "--max-tasks-per-child", "1")
    done = [submit("noop") for _ in range(6)]
    crashed = submit("crash", 3, max_attempts=1)
    after = [submit("noop") for _ in range(4)]
    wait_until(settled(services, [*done, crashed, *after]), what="every task to settle")

    assert {services.tasks.status(t.id).status for t in [*done, *after]} == {TaskStatus.SUCCEEDED}
    failed = services.tasks.status(crashed.id)
    assert failed.status is TaskStatus.FAILED
    assert failed.errors[0].exception_type == "scheduler_core.SlotCrashed"
