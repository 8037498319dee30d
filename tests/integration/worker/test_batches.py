"""Short tasks handed to a slot several at a time (batching.py), with real worker processes.

Each test first drains enough short tasks for the worker to judge its tasks short, so that
the tasks after them go to the slots in batches; then it makes one task of a batch run long,
crash, or lose its worker, and checks what became of the tasks queued behind it. The
`traced` tasks' own log tells which executions happened and whether two overlapped.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.domain.records import CLAIM_DROPPED

from .conftest import LEASE_SECONDS, WorkerProcess, task_name, wait_until
from .executions import executions, overlaps
from .faults import ELSEWHERE, status

pytestmark = pytest.mark.slow

# Enough short tasks for the running average of durations to fall below the batching bar.
WARM_UP = 60
BEHIND = 14
# Tasks drained when a worker is lost (the batch API's most in one call).
BATCHED = 1000
# A round finds tasks queued behind its first task only if the worker sent that task in a
# batch, which a loaded machine can prevent: a slot preempted in the middle of a task
# measures a long run, and the running average of run times keeps batches off until short
# runs bring it down again (a CI run saw a round without a batch). So a test plays up to
# ROUNDS rounds: every round must lose nothing, and one must find tasks queued.
ROUNDS = 3


def traced_request(log: Path, seconds: float, key: str, priority: int = 0) -> SubmitRequest:
    return SubmitRequest(name=task_name("traced"), args=[str(log), seconds, key], priority=priority)


def warm_up(services: Services, log: Path, prefix: str = "") -> None:
    """Drain short tasks until the worker takes them in batches."""
    warm = services.tasks.submit_many(
        [traced_request(log, 0.0, f"{prefix}warm{index}") for index in range(WARM_UP)]
    )
    wait_until(
        lambda: all(status(services, task) is TaskStatus.SUCCEEDED for task in warm),
        what="the warm-up tasks to finish",
    )


def submit_behind(
    services: Services, log: Path, first: SubmitRequest, key: str
) -> tuple[Task, list[Task]]:
    """`first` (claimed first: a higher priority) and short tasks submitted with it."""
    submitted = services.tasks.submit_many(
        [first, *(traced_request(log, 0.0, f"{key}-short{index}") for index in range(BEHIND))]
    )
    return submitted[0], submitted[1:]


def handed_back(services: Services, tasks: list[Task]) -> int:
    """How many claims of `tasks` a worker handed back unstarted."""
    return sum(
        1
        for task in tasks
        for transition in services.tasks.transitions(task.id)
        if transition.reason.startswith(CLAIM_DROPPED)
    )


def assert_ran_once_each_uncharged(services: Services, tasks: list[Task], log: Path) -> None:
    runs = executions(log)
    for task in tasks:
        stored = services.tasks.status(task.id)
        assert stored.status is TaskStatus.SUCCEEDED, stored
        assert stored.attempt == 1 and stored.errors == [], stored
        assert len(runs[stored.args[2]]) == 1, runs[stored.args[2]]
    assert overlaps(log) == []


def test_tasks_queued_behind_a_long_one_go_back_and_run_in_another_slot_at_once(
    services: Services, start_worker: Callable[..., WorkerProcess], log_file: Path
) -> None:
    worker = start_worker("--concurrency", "2")
    later: list[Task] = []
    for round_ in range(ROUNDS):
        warm_up(services, log_file, f"round{round_}-")
        request = traced_request(log_file, 4.0, f"slow{round_}", 5)
        long, short = submit_behind(services, log_file, request, f"first{round_}")
        later += [long, *short]
        # Queued behind the long task, they would wait for its four seconds.
        wait_until(
            lambda: all(status(services, t) is TaskStatus.SUCCEEDED for t in short),  # noqa: B023
            timeout=3,
            what="the short tasks to finish while the long one runs",
        )
        assert status(services, long) is TaskStatus.RUNNING
        assert_ran_once_each_uncharged(services, short, log_file)
        # Those that waited in the long task's slot were given back from there to the
        # worker's buffer, which its other slot took them from: no write, no re-claim.
        assert handed_back(services, short) == 0
        gave_back = f"queued behind task {long.id}, which runs long" in worker.output()
        wait_until(lambda: status(services, long) is TaskStatus.SUCCEEDED, what="the long task")  # noqa: B023
        if gave_back:
            break
    assert gave_back, worker.output()[-4000:]

    # Again, in slots that gave tasks back before: each give-back must name the tasks
    # the slot did not begin, never the one it runs (a chaos run found that).
    for round_ in range(2):
        warm_up(services, log_file, f"again{round_}-")
        request = traced_request(log_file, 0.6, f"long{round_}", 5)
        more = submit_behind(services, log_file, request, f"round{round_}")
        later += [more[0], *more[1]]
        wait_until(
            lambda: all(status(services, task).is_terminal for task in later),  # noqa: B023
            what="the round's tasks to finish",
        )
    assert_ran_once_each_uncharged(services, later, log_file)


def test_a_slot_that_dies_in_a_batch_hands_back_the_tasks_behind_its_task_uncharged(
    services: Services, start_worker: Callable[..., WorkerProcess], log_file: Path
) -> None:
    worker = start_worker("--concurrency", "2")
    returned = 0
    for round_ in range(ROUNDS):
        warm_up(services, log_file, f"round{round_}-")
        crash = SubmitRequest(name=task_name("crash"), args=[9], priority=5, max_attempts=1)
        crashed, short = submit_behind(services, log_file, crash, f"crash{round_}")
        wait_until(
            lambda: all(status(services, t).is_terminal for t in [crashed, *short]),  # noqa: B023
            what="every task to end",
        )
        assert status(services, crashed) is TaskStatus.FAILED
        assert_ran_once_each_uncharged(services, short, log_file)
        returned = handed_back(services, short)
        if returned:
            break
    assert returned > 0, worker.output()[-4000:]


@pytest.mark.parametrize("how", ["sigkill", "sigstop"])
def test_a_worker_lost_with_batches_in_its_slots_charges_only_what_ran(
    how: str,
    services: Services,
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    # Killed, or frozen past its lease, with its whole process group; another worker
    # rescues what it held, and runs the rest after a kill. Tasks queued in its slots
    # never began: none may cost an attempt, none may run twice at once, and each runs
    # again only if its code had begun.
    first = start_worker("--concurrency", "2")
    warm_up(services, log_file)
    # Each a few milliseconds: short enough to go in batches (batching.py), so that the
    # fault finds tasks queued in the slots.
    tasks = services.tasks.submit_many(
        [traced_request(log_file, 0.002, f"batch{index}") for index in range(BATCHED)]
    )
    wait_until(lambda: log_file.read_text().count("start batch") >= 40, what="the drain")
    if how == "sigkill":
        # The whole group at once (an OOM kill of the container, `kill -9` of the group):
        # killed alone, the supervisor leaves its slots a tenth of a second to run their
        # queues out before their watchdogs see it gone.
        first.signal_group(signal.SIGKILL)
        start_worker("--concurrency", "2")
    else:
        # A VM pause: every process of the worker frozen for two leases, while a worker
        # serving another queue rescues what it held (one running these tasks meanwhile
        # would meet the frozen executions, which nothing can stop before they thaw).
        first.signal_group(signal.SIGSTOP)
        start_worker("--queues", ELSEWHERE)
        time.sleep(2 * LEASE_SECONDS)
        first.signal_group(signal.SIGCONT)
    wait_until(
        lambda: all(status(services, task).is_terminal for task in tasks),
        timeout=LEASE_SECONDS + 90,
        what="every task to finish",
    )

    runs = executions(log_file)
    stored = [services.tasks.status(task.id) for task in tasks]
    assert [t.id for t in stored if t.status is not TaskStatus.SUCCEEDED] == []
    assert overlaps(log_file) == []
    # An attempt is charged only for an execution that happened.
    burnt = [t for t in stored if t.attempt > len(runs.get(t.args[2], []))]
    assert burnt == []
