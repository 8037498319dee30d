"""A two-minute chaos run: real workers killed and restarted, then every invariant checked.

PostgreSQL when TEST_DATABASE_URL is set (with pg_terminate_backend, without the server
restart, which would disturb other tests sharing the server), else SQLite. `make chaos`
runs the full 50,000-task version.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.mark.timeout(200)
def test_a_short_chaos_run_breaks_no_invariant() -> None:
    database = "postgres" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    command = [
        sys.executable,
        "-m",
        "chaos",
        "chaos",
        "--database",
        database,
        "--tasks",
        "400",
        "--duration",
        "60",
        "--drain-timeout",
        "60",
        "--workers",
        "4",
        "--concurrency",
        "2",
        "--kill-every",
        "5",
        "--no-restart",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=190)
    output = done.stdout + done.stderr[-3000:]
    assert done.returncode == 0, output
    assert "violations: 0" in done.stdout, output
    # The run did what it says: workers were killed, tasks were cancelled, ticks fired.
    figures = next(line for line in done.stdout.splitlines() if line.startswith("figures:"))
    assert "SIGKILLs" in figures, figures
    assert "schedule ticks 0," not in figures, figures
