"""What one attempt comes to in a slot: snooze, discard, retry rules, non-JSON results,
progress reports, and the task_finished signal django.tasks receivers get."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from django.db import connections
from django.tasks import TaskContext
from django.tasks.signals import task_finished

from scheduler_core import Discard, Snooze
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.progress import Progress
from scheduler_core.executor.codec import Outcome, decode_task, encode_task
from scheduler_core.executor.execution import execute
from scheduler_core.executor.progress_report import (
    ProgressReporter,
    decode_progress,
    encode_progress,
)
from scheduler_core.task_backend.definition import task

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_connection_left_open(django_db_blocker: Any) -> None:
    """execute() looks at open connections after the task, as a slot does; one that an
    earlier database test in this process left open counted as database access here (these
    tests failed whenever such a test ran before them in the same process)."""
    with django_db_blocker.unblock():
        connections.close_all()


@task(max_attempts=3)
def snoozes() -> None:
    """Ask to run again in a minute."""
    raise Snooze(60)


@task(max_attempts=3)
def discards() -> None:
    """Give up for good."""
    raise Discard("nothing to do")


@task(max_attempts=3, no_retry_on=(KeyError,), backoff={"base": 5, "jitter": 0})
def ruled(kind: str) -> None:
    """Raise KeyError (never retried) or OSError (retried after 5 s)."""
    raise KeyError(kind) if kind == "key" else OSError(kind)


@task(max_attempts=3)
def returns_a_set() -> object:
    """Return what JSON cannot hold."""
    return {1}


@task(takes_context=True)
def reports(context: TaskContext[Any, Any], times: int) -> int:
    """Report progress `times` times in a tight loop."""
    for done in range(1, times + 1):
        context.progress(done, times, f"{done} done")  # type: ignore[attr-defined]
    return times


def running(function: Any, *args: Any, attempt: int = 1) -> Task:
    """A running task of `function` at `attempt`, as a slot receives it."""
    task = Task.create(function.module_path, now=NOW, args=list(args), max_attempts=3)
    for number in range(attempt):
        task.claim(f"w{number}", now=NOW, lease=NOW - NOW)
        if number + 1 < attempt:
            task.status = TaskStatus.READY
    return decode_task(encode_task(task))


@pytest.fixture
def finished() -> Iterator[list[dict[str, Any]]]:
    """The task_finished signals sent, with their arguments."""
    sent: list[dict[str, Any]] = []

    def receive(sender: object, **kwargs: Any) -> None:
        sent.append(kwargs)

    task_finished.connect(receive)
    yield sent
    task_finished.disconnect(receive)


def test_a_snooze_is_reported_as_such_and_not_as_a_failure(finished: list[dict[str, Any]]) -> None:
    outcome = execute(running(snoozes))

    assert (outcome.succeeded, outcome.snooze) == (False, 60.0)
    assert Outcome.decode(outcome.encode()) == outcome
    [signal] = finished
    assert signal["task_result"].status == "READY"
    assert signal["will_retry"] is True
    assert signal["task_result"].errors == []


def test_a_discard_is_final(finished: list[dict[str, Any]]) -> None:
    outcome = execute(running(discards))

    assert (outcome.retryable, outcome.discarded) == (False, True)
    assert outcome.message == "nothing to do"
    assert finished[0]["will_retry"] is False


def test_the_task_s_rules_decide_retry_and_delay(finished: list[dict[str, Any]]) -> None:
    never = execute(running(ruled, "key"))
    later = execute(running(ruled, "io"))

    assert (never.retryable, never.retry_in) == (False, None)
    assert (later.retryable, later.retry_in) == (True, 5.0)
    assert [signal["will_retry"] for signal in finished] == [False, True]


def test_the_last_attempt_s_failure_is_final(finished: list[dict[str, Any]]) -> None:
    execute(running(ruled, "io", attempt=3))

    assert finished[0]["will_retry"] is False


def test_a_result_json_cannot_hold_fails_with_exactly_type_error(
    finished: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="django.tasks"):
        outcome = execute(running(returns_a_set))

    assert (outcome.exception_type, outcome.retryable) == ("builtins.TypeError", False)
    assert finished[0]["task_result"].errors[0].exception_class is TypeError
    # Django's receiver logs it at ERROR, with the exception and its traceback.
    [record] = [r for r in caplog.records if r.name == "django.tasks"]
    assert record.levelno == logging.ERROR and "state=FAILED" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is TypeError


def test_progress_reports_are_coalesced_and_the_last_one_rides_the_outcome() -> None:
    sent: list[tuple[UUID, int, Progress]] = []

    outcome = execute(running(reports, 1000), lambda *report: sent.append(report))

    assert outcome.result == 1000
    # The first at once; none of the 999 after it within the interval...
    assert [progress.done for _, _, progress in sent] == [1]
    # ...and the latest with the outcome, which stores it.
    assert outcome.progress is not None and outcome.progress.message == "1000 done"
    assert Outcome.decode(outcome.encode()) == outcome


def test_a_closed_reporter_sends_nothing_more_and_gives_its_latest_report() -> None:
    sent: list[Progress] = []
    reporter = ProgressReporter(UUID(int=1), 1, lambda task_id, attempt, p: sent.append(p))
    reporter.report(1)
    reporter.report(2)
    latest = reporter.close()
    reporter.report(3)

    assert [p.done for p in sent] == [1]
    assert latest is not None and latest.done == 2


def test_a_task_that_never_reports_sends_nothing_and_carries_nothing() -> None:
    sent: list[Progress] = []

    outcome = execute(running(reports, 0), lambda task_id, attempt, p: sent.append(p))

    assert (sent, outcome.progress) == ([], None)
    assert b"progress" not in outcome.encode()


def test_a_progress_message_round_trips_through_the_pipe() -> None:
    report = (UUID(int=7), 2, Progress.reported(3, 4, "three"))

    assert decode_progress(encode_progress(*report)) == report
