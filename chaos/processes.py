"""Worker and web-server subprocesses of a run, and what /proc says about them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from scheduler_core.executor.load_report import descendants, resident_bytes

ROOT = Path(__file__).resolve().parents[1]
APPLICATION = "chaos-run"


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks (tells a live pid from a reused one)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[19])


def alive(pid: int, started: int) -> bool:
    """True while that very process (not a later one with its pid) exists and is no zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z" and start_time(pid) == started


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    return (resident_bytes(pid) or 0) / (1024 * 1024)


class Managed:
    """One `manage.py` subprocess with its output in a log file."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        log: Path,
        *,
        prefix: list[str] | None = None,
        own_group: bool = False,
    ) -> None:
        self.log = log
        self.args = args
        with log.open("a") as output:
            self.process = subprocess.Popen(
                [*(prefix or []), sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                # A session of its own makes it the leader of its own process group, so a
                # signal to that group reaches it and its slots, and nothing else.
                start_new_session=own_group,
            )
        # pid -> start time of every process seen below this one, for the orphan check.
        self.seen: dict[int, int] = {}
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def running(self) -> bool:
        """True until it exits."""
        return self.process.poll() is None

    def note_descendants(self) -> None:
        """Remember the processes below it now (they must die with it)."""
        if not self.running():
            return
        for pid in descendants(self.pid)[1:]:
            started = start_time(pid)
            if started is not None:
                self.seen.setdefault(pid, started)

    def signal(self, signum: int) -> None:
        """Send a signal if it still runs."""
        if self.running():
            self.process.send_signal(signum)

    def signal_group(self, signum: int) -> None:
        """Send a signal to its process group (it leads one when started with own_group)."""
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signum)

    def signal_tree(self, signum: int) -> list[int]:
        """Send a signal to it and every process below it, and to its group; the pids hit."""
        hit = descendants(self.pid) if self.running() else []
        for pid in hit:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
        self.signal_group(signum)
        return hit

    def stop(self, timeout: float) -> int:
        """SIGTERM, wait up to `timeout`, then SIGKILL; the exit code."""
        self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            return self.process.wait(timeout=30)

    def orphans(self) -> list[int]:
        """Processes once below it that still live although it has exited."""
        return [pid for pid, started in self.seen.items() if alive(pid, started)]


def environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of every process of a run: its own database, the chaos settings."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "chaos.settings",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        # libpq names every connection of these processes (and their slots) after the run,
        # so pg_stat_activity tells them from the runner's own.
        "PGAPPNAME": APPLICATION,
        **extra,
    }
