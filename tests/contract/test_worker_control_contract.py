"""WorkerControl: the command an operator leaves for a worker, and the cancels it looks for."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from uuid import uuid4

import pytest

from scheduler_core.domain import TaskStatus
from scheduler_core.domain.worker_commands import WorkerCommand

from .factories import TaskFactory
from .kits import StorageKit

# The slack allowed between the kit's clock read by the test and by the adapter.
CLOCK_SLACK = timedelta(seconds=5)


def test_a_worker_with_no_command_reads_none(kit: StorageKit) -> None:
    assert kit.control.command_of("w1") is None


def test_a_command_reads_back_with_who_asked_and_when(kit: StorageKit) -> None:
    before = kit.now()
    kit.control.ask("w1", WorkerCommand.QUIET, actor="alice")

    state = kit.control.command_of("w1")
    assert state is not None
    assert (state.command, state.asked_by, state.obeyed_at) == (WorkerCommand.QUIET, "alice", None)
    assert before - CLOCK_SLACK <= state.asked_at <= kit.now() + CLOCK_SLACK
    assert kit.control.command_of("w2") is None


def test_a_new_command_replaces_the_old_one_and_its_obeyed_stamp(kit: StorageKit) -> None:
    kit.control.ask("w1", WorkerCommand.QUIET, actor="alice")
    kit.control.obeyed("w1", WorkerCommand.QUIET)

    kit.control.ask("w1", WorkerCommand.RESUME, actor="bob")

    state = kit.control.command_of("w1")
    assert state is not None
    assert (state.command, state.asked_by, state.obeyed_at) == (WorkerCommand.RESUME, "bob", None)


def test_obeyed_is_stamped_once_and_only_for_the_command_left(kit: StorageKit) -> None:
    kit.control.ask("w1", WorkerCommand.STOP, actor="alice")

    kit.control.obeyed("w1", WorkerCommand.QUIET)
    state = kit.control.command_of("w1")
    assert state is not None and state.obeyed_at is None

    kit.control.obeyed("w1", WorkerCommand.STOP)
    first = kit.control.command_of("w1")
    assert first is not None and first.obeyed_at is not None
    time.sleep(0.01)
    kit.control.obeyed("w1", WorkerCommand.STOP)
    assert kit.control.command_of("w1") == first
    # A worker that never got a command has nothing to stamp.
    kit.control.obeyed("w2", WorkerCommand.STOP)
    assert kit.control.command_of("w2") is None


def test_cancels_are_the_held_attempts_still_running_whose_cancel_was_asked(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    asked = make_task.add_running_asked_to_cancel()
    not_asked = make_task.add_running()
    ended = make_task.add_running_asked_to_cancel()
    ended.cancel(now=kit.now(), attempt=1, actor="w1")
    kit.tasks.update(ended, expected_status=TaskStatus.RUNNING, expected_attempt=1)

    held = {(asked.id, 1), (asked.id, 2), (not_asked.id, 1), (ended.id, 1), (uuid4(), 1)}
    assert kit.control.cancels_among(held) == {(asked.id, 1)}
    assert kit.control.cancels_among(set()) == set()


def test_a_wait_with_nothing_asked_runs_its_time_and_says_so(kit: StorageKit) -> None:
    started = time.monotonic()
    assert kit.control.wait(0.05) is False
    assert time.monotonic() - started >= 0.04


def test_a_command_asked_during_a_wait_ends_it_early(
    kit: StorageKit, request: pytest.FixtureRequest
) -> None:
    if request.node.callspec.params["kit"] == "sqlite":
        pytest.skip("SQLite has no notifications: a worker polls for its commands")
    kit.control.wait(0.01)  # listening from here on, where listening takes a connection
    asker = threading.Timer(0.2, _ask_then_end_thread, args=(kit,))
    asker.start()
    try:
        started = time.monotonic()
        assert kit.control.wait(10) is True
        assert time.monotonic() - started < 5
    finally:
        asker.join()


def _ask_then_end_thread(kit: StorageKit) -> None:
    try:
        kit.control.ask("w1", WorkerCommand.STOP, actor="alice")
    finally:
        kit.end_thread()
