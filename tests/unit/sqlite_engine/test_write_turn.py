"""The write turn within one process: threads, a second connection, waits that run out."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler_core.sqlite_engine.write_turn import WriteTurn


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / "db.sqlite3-turn")


@pytest.fixture
def other_process(path: str) -> Iterator[int]:
    """A descriptor of its own on the turn file: locks through it act as another process's."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        yield fd
    finally:
        os.close(fd)


def free_for_others(fd: int) -> bool:
    """True when another process could take the turn now."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    fcntl.flock(fd, fcntl.LOCK_UN)
    return True


def test_a_free_turn_is_taken_at_once_and_others_wait_until_it_is_given_back(
    path: str, other_process: int
) -> None:
    turn = WriteTurn(path)

    assert turn.take()
    assert turn.held_by_me()
    assert not free_for_others(other_process)
    turn.give_back()

    assert not turn.held_by_me()
    assert free_for_others(other_process)


def test_the_holding_thread_takes_it_again_for_a_second_connection(
    path: str, other_process: int
) -> None:
    turn = WriteTurn(path, wait=0.2)

    assert turn.take()
    started = time.monotonic()
    assert turn.take()
    assert time.monotonic() - started < 0.1
    turn.give_back()
    assert not free_for_others(other_process)
    turn.give_back()

    assert free_for_others(other_process)


def test_another_thread_of_the_process_waits_for_the_turn(path: str) -> None:
    turn = WriteTurn(path, wait=5)
    assert turn.take()
    took = threading.Event()

    def second() -> None:
        assert turn.take()
        took.set()
        turn.give_back()

    thread = threading.Thread(target=second)
    thread.start()
    assert not took.wait(0.2)
    turn.give_back()

    assert took.wait(2)
    thread.join()


def test_a_turn_another_process_holds_is_taken_as_soon_as_it_is_given_back(
    path: str, other_process: int
) -> None:
    turn = WriteTurn(path, wait=5)
    fcntl.flock(other_process, fcntl.LOCK_EX)
    threading.Timer(0.2, fcntl.flock, (other_process, fcntl.LOCK_UN)).start()

    started = time.monotonic()
    assert turn.take()
    waited = time.monotonic() - started
    turn.give_back()

    assert 0.15 < waited < 2


def test_after_a_wait_runs_out_nobody_waits_until_the_turn_is_free_again(
    path: str, other_process: int
) -> None:
    turn = WriteTurn(path, wait=0.2)
    fcntl.flock(other_process, fcntl.LOCK_EX)

    started = time.monotonic()
    assert not turn.take()
    assert 0.2 <= time.monotonic() - started < 1
    assert not turn.held_by_me()
    # Until the turn is seen free again, nobody in this process waits for it.
    started = time.monotonic()
    assert not turn.take()
    assert time.monotonic() - started < 0.05
    # The thread still blocked in flock for it takes it when the other lets go, finds nobody
    # waiting any more and lets go at once.
    fcntl.flock(other_process, fcntl.LOCK_UN)
    time.sleep(0.3)

    assert free_for_others(other_process), "the turn stayed taken with nobody waiting"
    assert turn.take()
    turn.give_back()


def test_giving_back_a_turn_not_held_changes_nothing(path: str, other_process: int) -> None:
    turn = WriteTurn(path)
    assert turn.take()
    done = threading.Event()

    def stranger() -> None:
        turn.give_back()
        done.set()

    threading.Thread(target=stranger).start()
    assert done.wait(2)

    assert turn.held_by_me()
    assert not free_for_others(other_process)
    turn.give_back()


def test_without_a_lock_file_the_turn_is_skipped(tmp_path: Path) -> None:
    turn = WriteTurn(str(tmp_path / "missing-directory" / "db.sqlite3-turn"))

    assert not turn.take()
    assert not turn.held_by_me()


def test_a_missing_lock_file_is_reported_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    turn = WriteTurn(str(tmp_path / "missing-directory" / "db.sqlite3-turn"))

    for _ in range(3):
        assert not turn.take()

    assert len(caplog.records) == 1
    assert "SQLite write turn off" in caplog.records[0].getMessage()
