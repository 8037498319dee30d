"""What a worker hands a task and keeps of it: context, async code, results, registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.storage import DjangoTaskRepository

from .conftest import WorkerProcess, wait_until

pytestmark = pytest.mark.slow


def outcome(services: Services, task: Task) -> Task:
    """The task once it reached a terminal state."""
    wait_until(lambda: services.tasks.status(task.id).is_terminal(), what=f"{task.name}")
    return services.tasks.status(task.id)


def test_context_async_tasks_and_signals(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker()
    with_context = submit("which_attempt", max_attempts=1)
    doubled = submit("async_double", 21)

    assert outcome(services, with_context).result == 1
    assert outcome(services, doubled).result == 42
    # Django's own receivers of task_started / task_finished log from the worker.
    log = worker.output()
    assert f"Task id={doubled.id} path={doubled.name} state=RUNNING" in log
    assert f"Task id={doubled.id} path={doubled.name} state=SUCCESSFUL" in log


def test_a_result_that_is_not_json_fails_without_retrying(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    start_worker("--pool", "thread")
    task = submit("returns_a_set", max_attempts=3)

    stored = outcome(services, task)

    assert stored.status is TaskStatus.FAILED
    assert stored.attempt == 1
    # django.tasks' contract: exception_class is TypeError exactly.
    assert stored.errors[0].exception_type == "builtins.TypeError"


def test_a_result_too_big_to_encode_fails_the_task_not_the_slot(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    # In a slot process, where encoding the outcome used to kill the slot (SlotCrashed).
    start_worker("--concurrency", "1")
    task = submit("returns_a_huge_int", 4400, max_attempts=3)
    after = submit("async_double", 2)

    stored = outcome(services, task)

    assert (stored.status, stored.attempt) == (TaskStatus.FAILED, 1)
    [error] = stored.errors
    assert error.exception_type == "builtins.TypeError"
    assert "4300 digits" in error.message
    assert "Traceback" in error.traceback
    # The same slot goes on to the next task.
    assert outcome(services, after).result == 4


def test_an_unregistered_task_name_fails_without_importing_anything(
    alias: str, services: Services, start_worker: Callable[..., WorkerProcess]
) -> None:
    tasks = DjangoTaskRepository(alias)
    # Written past the service, as a row from an older deployment might be.
    stray = Task.create("os.system", now=tasks.clock.now(), args=["touch /tmp/pwned"])
    tasks.add(stray)
    start_worker()

    stored = outcome(services, stray)

    assert stored.status is TaskStatus.FAILED
    assert stored.attempt == 1
    assert "UnknownTask" in stored.errors[0].exception_type
    assert "not a registered task" in stored.errors[0].message


def test_slot_processes_are_recycled_after_max_tasks(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    start_worker("--concurrency", "1", "--max-tasks-per-child", "2")
    tasks = [submit("record", str(log_file), f"k{n}") for n in range(6)]

    for task in tasks:
        assert outcome(services, task).status is TaskStatus.SUCCEEDED
    pids = [line.split()[1] for line in log_file.read_text().splitlines()]
    assert len(pids) == 6
    assert len(set(pids)) == 3


def test_recycling_costs_no_attempt(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    start_worker("--concurrency", "1", "--max-tasks-per-child", "1")
    tasks = [submit("record", str(log_file), f"k{n}", max_attempts=1) for n in range(5)]

    # A task handed to a child that was about to exit would fail as a crashed slot.
    assert [outcome(services, task).status for task in tasks] == [TaskStatus.SUCCEEDED] * 5
