"""`get_result()` and `refresh()` report what the workers made of a task."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from asgiref.sync import async_to_sync
from django.tasks import TaskResult, TaskResultStatus, default_task_backend
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.storage import DjangoTaskRepository
from scheduler_core.task_results import WorkerLost

from .conftest import Claim
from .sample_tasks import explode, multiply, which_attempt


def refreshed(result: TaskResult[..., Any]) -> TaskResult[..., Any]:
    """`result` after TaskResult.refresh() (a call, so type checkers forget its old status)."""
    result.refresh()
    return result


def test_a_successful_run_shows_its_times_worker_and_return_value(
    services: Services, claim: Claim
) -> None:
    result = multiply.enqueue(6, 7)
    claimed = claim("w1")
    services.workers.complete(claimed, 42)

    fetched = multiply.get_result(result.id)
    done = services.tasks.status(claimed.id)

    assert fetched.status is TaskResultStatus.SUCCESSFUL
    assert fetched.return_value == 42
    assert fetched.is_finished
    assert fetched.task is multiply
    assert fetched.enqueued_at == result.enqueued_at
    assert fetched.started_at == fetched.last_attempted_at == claimed.started_at
    assert fetched.finished_at == done.finished_at
    assert fetched.started_at is not None and fetched.finished_at is not None
    assert fetched.started_at <= fetched.finished_at
    assert (fetched.worker_ids, fetched.attempts, fetched.errors) == (["w1"], 1, [])


def test_refresh_follows_the_task_from_ready_to_running_to_successful(
    services: Services, claim: Claim
) -> None:
    result = which_attempt.enqueue(label="a")

    claimed = claim("w1")
    assert refreshed(result).status is TaskResultStatus.RUNNING
    assert result.worker_ids == ["w1"]
    assert result.started_at == claimed.started_at

    services.workers.complete(claimed, {"label": "a", "attempt": 1})
    assert refreshed(result).status is TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"label": "a", "attempt": 1}


def test_failed_attempts_keep_every_error_with_class_path_and_traceback(
    services: Services, claim: Claim
) -> None:
    result = explode.enqueue("boom")

    def attempt(worker_id: str) -> None:
        try:
            explode.call("boom")
        except ValueError as error:
            services.workers.fail(claim(worker_id), error)

    attempt("w1")
    assert refreshed(result).status is TaskResultStatus.READY  # retrying: 1 attempt left
    assert [e.exception_class_path for e in result.errors] == ["builtins.ValueError"]

    attempt("w2")
    assert refreshed(result).status is TaskResultStatus.FAILED
    assert result.is_finished
    assert result.finished_at is not None
    assert (result.worker_ids, result.attempts) == (["w1", "w2"], 2)
    assert [e.exception_class for e in result.errors] == [ValueError, ValueError]
    assert "in explode" in result.errors[1].traceback
    assert result.errors[1].traceback.rstrip().endswith("ValueError: boom")
    with pytest.raises(ValueError, match="Task failed"):
        _ = result.return_value


def test_a_lost_worker_shows_as_an_importable_worker_lost_error(
    alias: str, services: Services, claim: Claim
) -> None:
    result = multiply.enqueue(1, 2)
    claimed = claim("w1")
    # Expire the lease from the database's point of view, then let the rescuer find it.
    tasks = DjangoTaskRepository(alias)
    # It ran: losing it costs the attempt (an unstarted claim would be given back).
    claimed.mark_started(attempt=1, now=tasks.clock.now())
    claimed.extend_lease(attempt=1, now=tasks.clock.now() - timedelta(hours=1), lease=timedelta(0))
    tasks.update(claimed, expected_status=claimed.status, expected_attempt=1)
    assert services.rescuer.rescue_expired().retried == 1

    result.refresh()

    [error] = result.errors
    assert result.status is TaskResultStatus.READY
    assert error.exception_class is WorkerLost
    assert "worker w1 stopped renewing its lease" in error.traceback


def test_a_cancelled_task_reports_failed(services: Services) -> None:
    result = multiply.enqueue(1, 2)

    services.tasks.cancel(UUID(result.id))
    result.refresh()

    assert result.status is TaskResultStatus.FAILED
    assert result.errors == []


def test_aget_result_and_arefresh_work_from_async_code(services: Services, claim: Claim) -> None:
    result = multiply.enqueue(2, 3)
    services.workers.complete(claim("w1"), 6)

    fetched = async_to_sync(multiply.aget_result)(result.id)
    async_to_sync(result.arefresh)()

    assert fetched.return_value == result.return_value == 6


@pytest.mark.parametrize(
    "result_id", ["8d6c9a52-3f1e-4b7a-9c2d-5e4f3a2b1c0d", "not-a-uuid", "", "1" * 500]
)
def test_get_result_of_an_unknown_or_malformed_id_does_not_exist(
    services: Services, result_id: str
) -> None:
    with pytest.raises(TaskResultDoesNotExist):
        default_task_backend.get_result(result_id)


def test_get_result_of_a_task_whose_name_is_no_longer_registered_does_not_exist(
    alias: str, services: Services
) -> None:
    # Stored by an older deploy that still had the task.
    old = build_services("django", database=alias, task_names=["retired.tasks.gone"])
    stored = old.tasks.submit(SubmitRequest(name="retired.tasks.gone")).task

    with pytest.raises(TaskResultDoesNotExist, match="'retired.tasks.gone'.*no longer"):
        default_task_backend.get_result(str(stored.id))


def test_get_result_through_another_task_is_a_mismatch(services: Services) -> None:
    result = multiply.enqueue(1, 2)

    with pytest.raises(TaskResultMismatch):
        explode.get_result(result.id)


def test_started_at_stays_the_first_attempt_s_after_a_retry(
    services: Services, claim: Claim
) -> None:
    result = explode.enqueue("boom")
    first = claim("w1")
    services.workers.fail(first, ValueError("boom"))
    second = claim("w2")

    fetched = explode.get_result(result.id)

    assert second.attempt == 2
    assert fetched.started_at == first.started_at
    assert fetched.last_attempted_at == second.started_at
