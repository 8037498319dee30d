"""A slot sends task_started and task_finished only when something hears them
(signal_listeners.py): a receiver besides Django's own, or the django.tasks logger at INFO."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connections
from django.tasks import signals
from django.tasks.signals import task_finished, task_started

from scheduler_core import task_results
from scheduler_core.domain import Task
from scheduler_core.executor.codec import decode_task, encode_task
from scheduler_core.executor.execution import execute
from scheduler_core.executor.signal_listeners import started_and_finished_heard
from scheduler_core.task_backend.backend import SchedulerBackend
from scheduler_core.task_backend.definition import task

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_connection_left_open(django_db_blocker: Any) -> None:
    """execute() looks at open connections after the task, as a slot does."""
    with django_db_blocker.unblock():
        connections.close_all()


@pytest.fixture
def quiet() -> Iterator[None]:
    """As a worker run with LOG_LEVEL=WARNING: the django.tasks logger drops INFO, and only
    Django's own receivers listen (others, such as those of task modules other tests
    imported into this process, are disconnected meanwhile)."""
    tasks_logger = logging.getLogger("django.tasks")
    level = tasks_logger.level
    tasks_logger.setLevel(logging.WARNING)
    others = {
        signal: [r for r in signal._live_receivers(SchedulerBackend)[0] if r is not own]
        for signal, own in [
            (task_started, signals.log_task_started),
            (task_finished, signals.log_task_finished),
        ]
    }
    for signal, receivers in others.items():
        for receiver in receivers:
            signal.disconnect(receiver)
    yield
    for signal, receivers in others.items():
        for receiver in receivers:
            signal.connect(receiver)
    tasks_logger.setLevel(level)


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the tasks a TaskResult was built for."""
    ids: list[str] = []
    real = task_results.task_result_from

    def counted(stored: Task, *args: Any) -> Any:
        ids.append(str(stored.id))
        return real(stored, *args)

    monkeypatch.setattr(task_results, "task_result_from", counted)
    return ids


@task()
def adds(a: int, b: int) -> int:
    """Add."""
    return a + b


@task(max_attempts=1)
def fails() -> None:
    """Raise."""
    raise RuntimeError("broken")


def running(function: Any, *args: Any) -> Task:
    """A running task of `function`, as a slot receives it."""
    made = Task.create(function.module_path, now=NOW, args=list(args))
    made.claim("w1", now=NOW, lease=NOW - NOW)
    return decode_task(encode_task(made))


def receive_into(sent: list[tuple[str, str]]) -> Any:
    def receive(sender: object, signal: Any, task_result: Any, **kwargs: Any) -> None:
        name = "started" if signal is task_started else "finished"
        sent.append((name, str(task_result.status)))

    return receive


def test_nothing_hears_them_with_only_django_s_receivers_and_info_dropped(quiet: None) -> None:
    assert not started_and_finished_heard(SchedulerBackend)


def test_the_logger_at_info_hears_them(quiet: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="django.tasks"):
        assert started_and_finished_heard(SchedulerBackend)


@pytest.mark.parametrize("signal", [task_started, task_finished], ids=["started", "finished"])
def test_a_receiver_of_either_hears_them(quiet: None, signal: Any) -> None:
    def receive(sender: object, **kwargs: Any) -> None:
        pass

    signal.connect(receive)
    try:
        assert started_and_finished_heard(SchedulerBackend)
    finally:
        signal.disconnect(receive)
    assert not started_and_finished_heard(SchedulerBackend)


def test_a_success_nobody_hears_builds_no_task_result(quiet: None, built: list[str]) -> None:
    outcome = execute(running(adds, 2, 3))

    assert outcome.succeeded and outcome.result == 5
    assert built == []


def test_a_receiver_gets_both_signals_of_a_success(quiet: None, built: list[str]) -> None:
    sent: list[tuple[str, str]] = []
    receive = receive_into(sent)
    task_started.connect(receive)
    task_finished.connect(receive)
    try:
        ran = running(adds, 2, 3)
        assert execute(ran).succeeded
    finally:
        task_started.disconnect(receive)
        task_finished.disconnect(receive)

    assert sent == [("started", "RUNNING"), ("finished", "SUCCESSFUL")]
    assert built == [str(ran.id)]


def test_a_failure_is_told_even_when_nothing_heard_the_start(
    quiet: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="django.tasks"):
        outcome = execute(running(fails))

    assert not outcome.succeeded
    [record] = [r for r in caplog.records if r.name == "django.tasks"]
    assert record.levelno == logging.ERROR and "FAILED" in record.getMessage()


def test_a_receiver_of_another_sender_alone_hears_nothing(quiet: None) -> None:
    def receive(sender: object, **kwargs: Any) -> None:
        pass

    task_started.connect(receive, sender=OtherBackend)
    try:
        assert not started_and_finished_heard(SchedulerBackend)
        assert started_and_finished_heard(OtherBackend)
    finally:
        task_started.disconnect(receive, sender=OtherBackend)


class OtherBackend(SchedulerBackend):
    """The scheduler's backend under another class: the sender of its tasks' signals."""


def test_the_signals_come_from_the_backend_the_tasks_setting_names_now(
    quiet: None, settings: Any
) -> None:
    assert execute(running(adds, 1, 1)).succeeded  # the default alias's sender is looked up
    senders: list[object] = []

    def receive(sender: object, **kwargs: Any) -> None:
        senders.append(sender)

    settings.TASKS = {
        "default": {"BACKEND": f"{__name__}.OtherBackend", "QUEUES": []},
    }
    task_finished.connect(receive, sender=OtherBackend)
    try:
        assert execute(running(adds, 2, 3)).succeeded
    finally:
        task_finished.disconnect(receive, sender=OtherBackend)

    assert senders == [OtherBackend]
