"""The bench's per-process CPU probe (bench/cpu_split.py) and W2's arguments (loader.payload)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from bench import cpu_split
from bench.loader import payload

pytestmark = pytest.mark.skipif(not cpu_split.available(), reason="needs /proc")

# A child that burns CPU in a grandchild, then waits to be killed.
_PARENT = """
import subprocess, sys, time
busy = "sum(range(200_000_000)); import time; time.sleep(60)"
child = subprocess.Popen([sys.executable, "-c", busy])
print(child.pid, flush=True)
time.sleep(60)
"""


def test_the_split_finds_the_cpu_of_a_grandchild_and_keeps_it_out_of_the_parent() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)
    grandchild = 0
    try:
        assert parent.stdout is not None
        grandchild = int(parent.stdout.readline())
        assert grandchild in cpu_split.descendants([parent.pid])
        before = cpu_split.sample([parent.pid], [])
        already = cpu_split.cpu_seconds(grandchild)
        # The grandchild's sum takes it a while; wait until 0.2 s more CPU shows.
        deadline = time.monotonic() + 30
        while cpu_split.cpu_seconds(grandchild) < already + 0.2 and time.monotonic() < deadline:
            time.sleep(0.05)
        after = cpu_split.sample([parent.pid], [grandchild])
        figures = cpu_split.per_task_us(before, after, 1)
        assert figures["slots"] >= 0.2e6
        assert figures["supervisor"] < figures["slots"]
        # A "backend" that appeared after the first sample counts from zero (µs per task).
        assert figures["database"] == pytest.approx(after.database[grandchild] * 1e6)
        parts = sum(figures[part] for part in ("supervisor", "slots", "database"))
        assert figures["total"] == pytest.approx(parts)
    finally:
        if grandchild:
            with contextlib.suppress(ProcessLookupError):
                os.kill(grandchild, signal.SIGKILL)
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()


def test_a_process_that_is_gone_counts_nothing() -> None:
    code = "import os; print(os.getpid())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert cpu_split.cpu_seconds(int(done.stdout)) == 0.0
    assert cpu_split.cpu_seconds(os.getpid()) > 0


def test_payloads_have_the_size_asked_and_differ_between_tasks() -> None:
    one, two = payload(1, 1024), payload(2, 1024)
    assert len(one) == len(two) == 1024
    assert one != two
    assert len(json.dumps([one])) < 1100
