"""SQLite writers take turns at the write lock, with real processes and real signals.

Each test runs processes of `turn_process.py` on a SQLite file of its own, through the
project's settings (DATABASE_URL), so they use the engine `dashboard/settings.py` picks.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler_core.sqlite_engine.write_turn import TURN_WAIT, turn_path

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


class Processes:
    """Starts turn processes on one database and kills whatever is left at the end."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT)}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env.pop("SCHEDULER_SQLITE_WRITE_TURNS", None)
        self.started: list[subprocess.Popen[str]] = []
        self.children: list[int] = []  # pids of children the processes forked

    def start(self, mode: str, *args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.sqlite_engine.turn_process", mode, *args],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.started.append(process)
        return process

    def holding(self, mode: str) -> subprocess.Popen[str]:
        """A process in `mode` (hold-...), once it says it holds."""
        process = self.start(mode)
        assert process.stdout is not None
        line = process.stdout.readline()
        while line.startswith("child "):
            self.children.append(int(line.split()[1]))
            line = process.stdout.readline()
        assert line == "holding\n", line
        return process

    def waiting_behind(
        self, holder_mode: str, waiter_mode: str
    ) -> tuple[subprocess.Popen[str], subprocess.Popen[str]]:
        """A holder in `holder_mode`, and a process in `waiter_mode` blocked in flock behind it."""
        holder = self.holding(holder_mode)
        waiter = self.start(waiter_mode)
        assert blocked_in_flock(waiter.pid)
        return holder, waiter

    def stop_all(self) -> None:
        # Children first: they hold their parent's stdout open.
        for child in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.kill()
            process.communicate(timeout=10)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    running = Processes(tmp_path / "turns.sqlite3")
    try:
        yield running
    finally:
        running.stop_all()


# A waiter sets Django up before it asks for the turn: 1.6 s on an idle 2-core machine,
# over 5 s while the suite's other processes keep both cores busy. The wait ends as soon
# as the waiter blocks, so a generous bound costs nothing when all is well.
FLOCK_WAIT = 30.0


def blocked_in_flock(pid: int, within: float = FLOCK_WAIT) -> bool:
    """True once the kernel shows `pid` waiting for a flock (a `->` line of /proc/locks)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if "->" in fields and "FLOCK" in fields and str(pid) in fields:
                return True
        time.sleep(0.02)
    return False


def output(process: subprocess.Popen[str], timeout: float = 30) -> list[str]:
    out, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, out
    return out.split()


def test_a_writer_waits_for_the_turn_in_the_kernel_and_writes_when_it_is_given_back(
    processes: Processes,
) -> None:
    # Not sleeping in SQLite's busy handler: blocked in flock on the turn file.
    holder, writer = processes.waiting_behind("hold-write", "write")
    assert turn_path(str(processes.database)).endswith("turns.sqlite3-turn")
    time.sleep(0.3)
    assert writer.poll() is None
    assert holder.stdin is not None
    holder.stdin.write("\n")
    holder.stdin.flush()

    assert output(holder) == []
    assert output(writer)[0] == "wrote"


def test_a_killed_holder_s_turn_and_lock_are_free_at_once(processes: Processes) -> None:
    holder, writer = processes.waiting_behind("hold-write", "write")

    holder.kill()
    holder.wait(10)

    wrote, seconds = output(writer)
    assert wrote == "wrote"
    # The kernel dropped both locks with the process; no wait ran out.
    assert float(seconds) < TURN_WAIT


def test_a_paused_holder_of_the_turn_delays_another_process_by_one_turn_wait(
    processes: Processes,
) -> None:
    holder = processes.holding("hold-turn")
    holder.send_signal(signal.SIGSTOP)

    writer = processes.start("write", "5")

    wrote, seconds = output(writer, timeout=TURN_WAIT * 5 + 20)
    assert wrote == "wrote"
    # It waited for the turn once, gave up on it after TURN_WAIT and wrote without it, and
    # its next four transactions did not wait for it again.
    assert TURN_WAIT <= float(seconds) < TURN_WAIT * 2


def test_a_child_forked_while_the_turn_was_held_does_not_keep_it_after_its_parent_dies(
    processes: Processes,
) -> None:
    holder, taker = processes.waiting_behind("hold-turn-child", "take")

    holder.kill()
    holder.wait(10)

    # The child still runs, with the parent's descriptor closed at the fork.
    os.kill(processes.children[0], 0)
    took, flag, seconds = output(taker)
    assert (took, flag) == ("took", "True")
    assert float(seconds) < TURN_WAIT
