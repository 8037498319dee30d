"""The demo tasks themselves, called directly: JSON in, JSON out, failing as advertised."""

from __future__ import annotations

import asyncio

import pytest
from django.tasks import TaskContext, TaskResult, TaskResultStatus

from demo import tasks
from scheduler_core.task_backend.registry import registry


def test_every_demo_task_is_registered_with_its_options() -> None:
    registry.autodiscover()

    assert {name for name in registry.names() if name.startswith("demo.")} == {
        "demo.tasks.add",
        "demo.tasks.always_fails",
        "demo.tasks.consume",
        "demo.tasks.flaky",
        "demo.tasks.greet",
        "demo.tasks.import_rows",
        "demo.tasks.noop",
        "demo.tasks.report",
        "demo.tasks.sleep_for",
    }
    assert (tasks.flaky.max_attempts, tasks.always_fails.max_attempts) == (5, 3)
    assert tasks.sleep_for.timeout == 60


def test_quick_slow_and_async_tasks_return_json() -> None:
    assert tasks.add.call(2, 3.5) == 5.5
    assert tasks.noop.call() is None
    assert tasks.consume.call({"order": 7, "note": "x" * 1024}) is None
    assert tasks.sleep_for.call(0) == 0
    # The function itself: django-stubs types call() of an async task as returning a coroutine.
    assert asyncio.run(tasks.greet.func("Ada")) == "Hello, Ada!"


def test_flaky_fails_as_often_as_asked_and_always_fails_always_does() -> None:
    assert tasks.flaky.call(failure_rate=0) == "worked this time"
    with pytest.raises(RuntimeError, match="flaky failed"):
        tasks.flaky.call(failure_rate=1)
    with pytest.raises(ValueError, match="on purpose"):
        tasks.always_fails.call("on purpose")


def test_report_returns_the_attempt_its_context_reports() -> None:
    result = TaskResult(
        task=tasks.report,
        id="r1",
        status=TaskResultStatus.RUNNING,
        enqueued_at=None,
        started_at=None,
        finished_at=None,
        last_attempted_at=None,
        args=[],
        kwargs={},
        backend="default",
        errors=[],
        worker_ids=["w1", "w2"],
    )

    # The function itself: the worker passes the context, which call()'s type leaves out.
    report = tasks.report.func(TaskContext(task_result=result), label="x")

    assert report == {"label": "x", "attempt": 2, "result_id": "r1"}
