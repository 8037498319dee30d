"""task_result_from: a stored task as django.tasks' TaskResult, field by field."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.tasks import TaskResultStatus

from scheduler_core.domain import RetryPolicy, Task, TaskError, TaskStatus
from scheduler_core.domain.records import TIMED_OUT
from scheduler_core.task_backend.definition import task
from scheduler_core.task_results import WorkerLost, task_error_from, task_result_from

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)
POLICY = RetryPolicy(base=timedelta(seconds=10), jitter=0)
NAME = "tests.unit.test_task_results.echo"


@task(max_attempts=2)
def echo(value: object) -> object:
    """Return its argument."""
    return value


def created() -> Task:
    """A new task with arguments, enqueued at T0."""
    return Task.create(NAME, now=T0, args=[{"a": [1, 2]}], kwargs={"k": "v"})


def claimed(worker_id: str = "w1") -> Task:
    """A task `worker_id` claimed a second after T0."""
    stored = created()
    stored.claim(worker_id, now=T0 + timedelta(seconds=1), lease=LEASE)
    return stored


def failed_once() -> Task:
    """A task whose first attempt raised KeyError, now waiting to retry."""
    stored = claimed()
    error = TaskError(
        attempt=1,
        exception_type="builtins.KeyError",
        message="'x'",
        traceback="Traceback\nKeyError: 'x'\n",
        failed_at=T0 + timedelta(seconds=2),
        worker_id="w1",
    )
    stored.fail(error, attempt=1, now=T0 + timedelta(seconds=2), policy=POLICY, rng=random.Random())
    return stored


def test_a_new_task_is_ready_with_its_arguments_and_nothing_else() -> None:
    stored = created()

    result = task_result_from(stored, echo, "default")

    assert result.id == str(stored.id)
    assert result.task is echo
    assert result.status is TaskResultStatus.READY
    assert result.enqueued_at == T0
    assert (result.started_at, result.finished_at, result.last_attempted_at) == (None,) * 3
    assert (result.args, result.kwargs) == ([{"a": [1, 2]}], {"k": "v"})
    assert (result.backend, result.errors, result.worker_ids) == ("default", [], [])


def test_a_claimed_task_is_running_on_its_worker_since_the_claim() -> None:
    result = task_result_from(claimed("w9"), echo, "default")

    assert result.status is TaskResultStatus.RUNNING
    assert result.started_at == result.last_attempted_at == T0 + timedelta(seconds=1)
    assert (result.worker_ids, result.attempts) == (["w9"], 1)


def test_a_succeeded_task_carries_its_return_value() -> None:
    stored = claimed()
    stored.succeed({"ok": True}, attempt=1, now=T0 + timedelta(seconds=3))

    result = task_result_from(stored, echo, "other")

    assert result.status is TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"ok": True}
    assert result.finished_at == T0 + timedelta(seconds=3)
    assert result.backend == "other"


def test_a_retrying_task_is_ready_again_and_keeps_its_error() -> None:
    result = task_result_from(failed_once(), echo, "default")

    [error] = result.errors
    assert result.status is TaskResultStatus.READY
    assert error.exception_class is KeyError
    assert error.traceback == "Traceback\nKeyError: 'x'\n"
    with pytest.raises(ValueError, match="not finished"):
        _ = result.return_value


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (TaskStatus.SCHEDULED, TaskResultStatus.READY),
        (TaskStatus.READY, TaskResultStatus.READY),
        (TaskStatus.RETRYING, TaskResultStatus.READY),
        (TaskStatus.RUNNING, TaskResultStatus.RUNNING),
        (TaskStatus.SUCCEEDED, TaskResultStatus.SUCCESSFUL),
        (TaskStatus.FAILED, TaskResultStatus.FAILED),
        (TaskStatus.CANCELLED, TaskResultStatus.FAILED),
    ],
)
def test_every_status_maps_onto_one_of_djangos_four(
    status: TaskStatus, expected: TaskResultStatus
) -> None:
    stored = created()
    stored.status = status

    assert task_result_from(stored, echo, "default").status is expected


def test_only_a_succeeded_task_exposes_a_return_value() -> None:
    stored = created()
    stored.result = "left over"
    stored.status = TaskStatus.FAILED

    with pytest.raises(ValueError, match="Task failed"):
        _ = task_result_from(stored, echo, "default").return_value


@pytest.mark.parametrize(
    ("exception_type", "exception_class"),
    [("WorkerLost", WorkerLost), (TIMED_OUT, TimeoutError)],
)
def test_errors_the_scheduler_records_itself_name_importable_classes(
    exception_type: str, exception_class: type[BaseException]
) -> None:
    error = TaskError(
        attempt=1, exception_type=exception_type, message="gone quiet", traceback="", failed_at=T0
    )

    mapped = task_error_from(error)

    assert mapped.exception_class is exception_class
    # No traceback was recorded, so the message stands in for it.
    assert mapped.traceback.endswith(": gone quiet\n")


def test_started_at_is_the_first_attempt_s_and_last_attempted_at_the_latest() -> None:
    stored = failed_once()
    stored.claim("w2", now=T0 + timedelta(seconds=20), lease=LEASE)

    result = task_result_from(stored, echo, "default")

    assert result.started_at == T0 + timedelta(seconds=1)
    assert result.last_attempted_at == T0 + timedelta(seconds=20)


def test_the_task_carries_the_overrides_it_was_enqueued_with() -> None:
    later = T0 + timedelta(hours=1)
    stored = Task.create(NAME, now=T0, args=[1], priority=40, queue="urgent", run_after=later)
    # A retry moves run_after; the task as enqueued keeps the one asked for.
    stored.run_after = later + timedelta(minutes=5)

    as_enqueued = task_result_from(stored, echo, "default").task

    assert (as_enqueued.priority, as_enqueued.queue_name, as_enqueued.run_after) == (
        40,
        "urgent",
        later,
    )
    assert as_enqueued.func is echo.func
    # Without overrides it is the registered task itself: no copy per attempt.
    assert task_result_from(created(), echo, "default").task is echo
