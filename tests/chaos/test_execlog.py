"""The execution log: what task code appends, how it is read back, and how a run is followed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from chaos import execlog
from chaos.execlog import LOG_VARIABLE, TICK, WORKER_VARIABLE, Tail, parse, read, recorded


def test_a_recorded_run_logs_its_start_ticks_and_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "executions.log"
    monkeypatch.setenv(LOG_VARIABLE, str(log))
    monkeypatch.setenv(WORKER_VARIABLE, "7")
    with recorded("task1", 2):
        time.sleep(4 * TICK)
    [run] = read(log)["task1"]
    assert (run.attempt, run.worker) == (2, "7")
    assert run.end is not None and run.start < run.end
    # Ticked while it ran: seen alive after its start, never after its end.
    assert run.last_tick is not None and run.start < run.last_tick <= run.end
    assert run.thaws == []


def test_a_run_that_raises_still_logs_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "executions.log"
    monkeypatch.setenv(LOG_VARIABLE, str(log))
    with pytest.raises(RuntimeError), recorded("task1", 1):
        raise RuntimeError("boom")
    [run] = read(log)["task1"]
    assert run.end is not None


def test_reading_skips_torn_lines_and_keeps_thaws_apart_from_ticks() -> None:
    runs = parse(
        [
            "S e1 task1 1 10 3 100.0",
            "T e1 100.25",
            "F e1 130.0 29.5",
            "E e2 101.0",  # an execution whose start was never logged
            "S e2 task1",  # torn
            "T e1 not-a-time",
        ]
    )
    [run] = runs["task1"]
    assert (run.last_tick, run.thaws, run.end) == (100.25, [130.0], None)
    assert (run.last_seen, run.last_record) == (100.25, 130.0)


def test_a_tail_follows_starts_and_open_runs_per_worker(tmp_path: Path) -> None:
    log = tmp_path / "executions.log"
    tail = Tail(log)
    tail.poll()
    log.write_text("S e1 task1 1 10 3 100.0\nS e2 task2 1 11 4 101.0\nT e1 10")
    tail.poll()
    assert tail.first_start_after("3", 99.0) == 100.0
    assert tail.first_start_after("3", 100.5) is None
    with log.open("a") as output:
        output.write("2.0\nE e2 102.0\n")
    tail.poll()
    assert tail.running_on("3", 102.2) == ["task1"]
    assert tail.running_on("4", 102.2) == []
    # Not seen for a second: killed without an end.
    assert tail.running_on("3", 104.0) == []


def test_a_run_that_ends_right_after_a_freeze_logs_the_thaw_before_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "executions.log"
    monkeypatch.setenv(LOG_VARIABLE, str(log))
    with recorded("task1", 1):
        # As if the process had been stopped for 5 s and resumed just now, before the
        # ticker woke up to notice.
        [writer] = execlog._writers.values()
        monkeypatch.setattr(writer, "beat", time.monotonic() - 5)
    [run] = read(log)["task1"]
    assert run.end is not None and run.thaws and run.thaws[0] <= run.end
