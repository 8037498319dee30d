"""Processes the bench starts: Django children and `runworkers` pools, and their memory."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chaos.processes import rss_mb

from .databases import ROOT, BenchDatabase


class BenchFailed(RuntimeError):
    """A workload could not finish (a child failed, workers stalled)."""


def run_child(database: BenchDatabase, command: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run `bench.child COMMAND` on the database; the JSON figures it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.child", command, json.dumps(params)],
        cwd=ROOT,
        env=database.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchFailed(f"bench.child {command} failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


class Workers:
    """Running `manage.py runworkers` processes with their default pool settings."""

    def __init__(self, database: BenchDatabase, count: int) -> None:
        self.database = database
        # A file, not a pipe: a pipe nobody reads would block a chatty worker.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.processes = [
            subprocess.Popen(
                [sys.executable, "manage.py", "runworkers"],
                cwd=ROOT,
                env=database.env,
                stdout=subprocess.DEVNULL,
                stderr=self.log,
            )
            for _ in range(count)
        ]

    def wait_running(self, timeout: float = 60.0) -> None:
        """Return once every worker registered and started claiming."""
        deadline = time.monotonic() + timeout
        while self._running() < len(self.processes):
            self.check_alive()
            if time.monotonic() > deadline:
                raise BenchFailed(f"workers did not start within {timeout}s")
            time.sleep(0.1)

    def check_alive(self) -> None:
        """BenchFailed if a worker exited by itself."""
        for process in self.processes:
            if process.poll() is not None:
                self.log.seek(0)
                errors = self.log.read()[-2000:].decode(errors="replace")
                raise BenchFailed(f"a worker exited ({process.returncode}): {errors}")

    def rss_mb(self) -> float:
        """Resident memory of all the workers, slots included, in MB."""
        return sum(rss_mb(process.pid) for process in self.processes)

    def stop(self) -> None:
        """Drain and stop every worker; kill one that does not stop in time."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.log.close()

    def _running(self) -> int:
        rows = self.database.query("SELECT count(*) FROM scheduler_worker WHERE state = 'running'")
        return int(rows[0][0])


@contextmanager
def workers(database: BenchDatabase, count: int) -> Iterator[Workers]:
    """`count` started workers, stopped however the block ends."""
    pool = Workers(database, count)
    try:
        pool.wait_running()
        yield pool
    finally:
        pool.stop()


def wait_for(
    database: BenchDatabase, pool: Workers, status: str, count: int, timeout: float
) -> float:
    """Wait until `count` tasks are in `status`; the monotonic time it happened (±poll)."""
    deadline = time.monotonic() + timeout
    while True:
        if database.count(status) >= count:
            return time.monotonic()
        pool.check_alive()
        if time.monotonic() > deadline:
            raise BenchFailed(f"only {database.count(status)} of {count} tasks {status}")
        time.sleep(0.05)
