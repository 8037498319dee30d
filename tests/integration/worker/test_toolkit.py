"""The task authors' toolkit in real worker processes: snooze, discard, retry rules, soft
time limits, progress, and the django.tasks contract as a task and its receivers see it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus

from .conftest import WorkerProcess, wait_until

pytestmark = pytest.mark.slow

POOLS = [
    pytest.param(("--pool", "process"), id="process"),
    pytest.param(("--pool", "thread"), id="thread"),
]


def outcome(services: Services, task: Task, timeout: float = 30) -> Task:
    """The task once it reached a terminal state."""
    wait_until(lambda: services.tasks.status(task.id).is_terminal(), timeout, what=task.name)
    return services.tasks.status(task.id)


def reasons(services: Services, task: Task) -> list[str]:
    return [move.reason for move in services.tasks.transitions(task.id)]


def test_a_snooze_puts_the_task_back_without_using_an_attempt(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    start_worker()
    # max_attempts=1: were a snooze an attempt, the second run would be attempt 2 (or none).
    task = submit("snoozes_then_runs", str(log_file), 2, max_attempts=1)

    stored = outcome(services, task)

    assert stored.status is TaskStatus.SUCCEEDED
    assert stored.result == 2
    assert (stored.attempt, stored.snoozes, stored.errors) == (1, 2, [])
    assert [line.split()[0] for line in log_file.read_text().splitlines()] == [
        "snoozed",
        "snoozed",
        "ran",
    ]
    moves = services.tasks.transitions(task.id)
    snoozes = [move for move in moves if move.reason.startswith("snoozed for")]
    assert [(m.from_status, m.to_status, m.attempt) for m in snoozes] == [
        (TaskStatus.RUNNING, TaskStatus.SCHEDULED, 1)
    ] * 2


def test_a_discard_fails_the_task_at_once_and_says_why(
    services: Services, submit: Callable[..., Task], start_worker: Callable[..., WorkerProcess]
) -> None:
    start_worker()
    task = submit("discards", "the account was closed", max_attempts=5)

    stored = outcome(services, task)

    assert (stored.status, stored.attempt) == (TaskStatus.FAILED, 1)
    assert stored.errors[0].exception_type == "scheduler_core.task_exceptions.Discard"
    assert "discarded: the account was closed" in reasons(services, task)


def test_retry_rules_decide_which_errors_retry_and_after_how_long(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    start_worker()
    permanent_log, flaky_log = tmp_path / "permanent.log", tmp_path / "flaky.log"
    permanent_log.touch()
    flaky_log.touch()
    permanent = submit("permanent_error", str(permanent_log), max_attempts=3)
    flaky = submit("flaky_io", str(flaky_log), max_attempts=3)

    stored = outcome(services, permanent)
    assert (stored.status, stored.attempt) == (TaskStatus.FAILED, 1)
    retried = outcome(services, flaky)
    assert (retried.status, retried.attempt, retried.result) == (TaskStatus.SUCCEEDED, 3, 3)
    # The task's own backoff (0.1 s), not the worker's: each retry fell due 0.1 s after.
    for error, move in zip(
        retried.errors,
        [m for m in services.tasks.transitions(flaky.id) if m.to_status is TaskStatus.RETRYING],
        strict=True,
    ):
        assert move.at == error.failed_at


@pytest.mark.parametrize("pool", POOLS)
def test_the_soft_time_limit_is_caught_by_the_task_s_own_except(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
    pool: tuple[str, ...],
) -> None:
    start_worker(*pool)
    began = time.monotonic()
    task = submit("cleans_up_at_soft_limit", str(log_file), max_attempts=1, timeout=10)

    stored = outcome(services, task)

    assert (stored.status, stored.result) == (TaskStatus.SUCCEEDED, "cleaned up")
    assert log_file.read_text().startswith("cleaned up")
    # Well before the 8 s sleep would have ended, and before the hard timeout.
    assert time.monotonic() - began < 7


def test_an_async_task_is_cancelled_at_its_soft_limit(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    start_worker()
    task = submit("async_cleans_up_at_soft_limit", str(log_file), max_attempts=1, timeout=10)

    stored = outcome(services, task)

    assert stored.status is TaskStatus.FAILED
    assert stored.errors[0].exception_type == "scheduler_core.task_exceptions.SoftTimeLimitExceeded"
    assert log_file.read_text() == "cancelled\n"


@pytest.mark.parametrize("pool", POOLS)
def test_progress_is_stored_while_the_task_runs(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
    pool: tuple[str, ...],
) -> None:
    start_worker(*pool)
    task = submit("reports_progress", str(log_file), 7, 10, max_attempts=1)

    def reported() -> bool:
        progress = services.tasks.status(task.id).progress
        return progress is not None and progress.done == 7

    wait_until(reported, what="progress 7 of 10")
    running = services.tasks.status(task.id)
    assert running.status is TaskStatus.RUNNING
    assert running.progress is not None
    assert (running.progress.total, running.progress.message) == (10, "step 7 of 10")
    assert running.progress.at is not None
    log_file.write_text("go\n")
    done = outcome(services, task)
    assert done.status is TaskStatus.SUCCEEDED
    # The last report, made just before the task returned, is stored with its outcome.
    assert done.progress is not None
    assert (done.progress.done, done.progress.message) == (10, "finished")


def test_the_task_result_a_task_sees_is_the_task_as_enqueued(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    start_worker()
    soon = services.clock.now()
    task = submit("reports_its_result", str(log_file), priority=7, run_after=soon, max_attempts=2)

    assert outcome(services, task).status is TaskStatus.SUCCEEDED

    first, second = (
        dict(f.split("=") for f in line.split()) for line in log_file.read_text().splitlines()
    )
    assert (first["attempt"], second["attempt"]) == ("1", "2")
    assert first["priority"] == second["priority"] == "7"
    assert first["run_after"] == "True"
    # started_at is the first attempt's start; last_attempted_at the latest's.
    assert second["first"] == first["first"] == first["last"]
    assert second["last"] > second["first"]


def test_task_finished_tells_a_retried_failure_from_the_final_one_and_logs_it(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
) -> None:
    worker = start_worker()
    task = submit("fails_twice", kwargs={"signal_log": str(log_file)}, max_attempts=2)

    assert outcome(services, task).status is TaskStatus.FAILED

    assert log_file.read_text().splitlines() == [
        "finished FAILED will_retry=True",
        "finished FAILED will_retry=False",
    ]
    # Django's own receiver logs the failure at ERROR with the exception and traceback.
    log = worker.output()
    failure = log[log.index(f"Task id={task.id} path={task.name} state=FAILED") :]
    assert "Traceback (most recent call last)" in failure
    assert "RuntimeError: failing on purpose" in failure
