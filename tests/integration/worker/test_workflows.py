"""Workflows run by real worker processes, one of them SIGKILLed mid-run, on both engines."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskStatus
from scheduler_core.services import StepRequest

from .conftest import LEASE_SECONDS, WorkerProcess, task_name, wait_until

pytestmark = pytest.mark.slow

PARTS = 1000


def steps(log: Path) -> list[StepRequest]:
    """A diamond (a -> b, c -> d) and a 1,000-wide fan-out from `root` into `fan-in`."""

    def run(key: str, *after: str, seconds: float = 0.0) -> StepRequest:
        args = [str(log), key, seconds]
        return StepRequest(key=key, task=task_name("step"), args=args, after=after)

    parts = [f"part-{n}" for n in range(PARTS)]
    return [
        run("a", seconds=0.3),
        run("b", "a", seconds=0.3),
        run("c", "a", seconds=0.6),
        run("d", "b", "c"),
        run("root"),
        # Long enough that the first worker still holds parts when the test freezes it: at
        # 10 ms, on a loaded machine the fan-out could be over before the test looked.
        *(run(part, "root", seconds=0.05) for part in parts),
        StepRequest(
            key="fan-in",
            task=task_name("gather"),
            args=[str(log), "fan-in", ["root", "part-0", f"part-{PARTS - 1}"]],
            after=tuple(parts),
        ),
    ]


def held_by(services: Services, run_id: UUID, worker_id: str) -> set[str]:
    """The keys of the run's steps that `worker_id` holds (running) now."""
    return {
        str(step.step_key)
        for step in services.workflows.get(run_id).steps
        if step.status is TaskStatus.RUNNING and step.worker_id == worker_id
    }


def freeze_holding(worker: WorkerProcess, holding: Callable[[], set[str]]) -> set[str]:
    """Stop the worker's process group at a moment it holds a step; return what it holds."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        worker.signal_group(signal.SIGSTOP)
        # Let a write already on its way to the database land before we read.
        time.sleep(0.2)
        if held := holding():
            return held
        worker.signal_group(signal.SIGCONT)
        time.sleep(0.1)
    raise AssertionError("the first worker held no step in 60 s")


def lines(log: Path) -> list[str]:
    return log.read_text().splitlines()


def test_a_diamond_and_a_wide_fan_in_finish_once_with_a_worker_killed(
    services: Services, start_worker: Callable[..., WorkerProcess], log_file: Path
) -> None:
    run = services.workflows.enqueue("crash", steps(log_file))
    first = start_worker("--concurrency", "4")
    start_worker("--concurrency", "4")
    wait_until(
        lambda: sum(line.startswith("end part-") for line in lines(log_file)) >= PARTS // 5,
        timeout=60,
        what="a fifth of the fan-out to run",
    )
    # Killed while it holds a step, so that the rescue has something to do. The worker is frozen
    # (SIGSTOP to its group) before we look: a step takes milliseconds, and one seen held while
    # the worker ran could be done by the time a kill landed (seen in CI, twice).
    held = freeze_holding(first, lambda: held_by(services, run.id, "w1"))
    first.signal(signal.SIGKILL)
    first.signal_group(signal.SIGCONT)
    wait_until(
        lambda: services.workflows.get(run.id).status != "running",
        timeout=LEASE_SECONDS + 120,
        what="the run to finish",
    )

    view = services.workflows.get(run.id)
    assert view.status == "succeeded"
    log = lines(log_file)
    for child, parents in (("d", ["b", "c"]), ("fan-in", [f"part-{n}" for n in range(PARTS)])):
        starts = [i for i, line in enumerate(log) if line == f"start {child}"]
        assert len(starts) == 1, f"{child} ran {len(starts)} times"
        last_ends = {p: max(i for i, line in enumerate(log) if line == f"end {p}") for p in parents}
        early = [p for p, i in last_ends.items() if i > starts[0]]
        assert early == [], f"{child} started before {early[:5]} succeeded"
    assert view.step("fan-in").result == ["root", "part-0", f"part-{PARTS - 1}"]
    # The kill took parents with it: their attempts were rescued (retried or given back),
    # and their children were still released once, after them.
    rescued = [
        step.step_key
        for step in view.steps
        if any(move.actor == "rescuer" for move in services.tasks.transitions(step.id))
    ]
    assert held <= set(rescued), f"held by the killed worker, never rescued: {held - set(rescued)}"
