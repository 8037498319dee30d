"""A short chaos run on each engine: workers killed, paused and restarted, then every
invariant checked.

Besides the random SIGKILLs and SIGTERMs (and pg_terminate_backend on PostgreSQL, without
the server restart, which would disturb other tests sharing the server), each run pauses a
whole worker (SIGSTOP of every process for 2-3 leases), pauses a supervisor alone, and
SIGKILLs a supervisor alone while one of its slots runs a 5-10 s task. PostgreSQL runs when
TEST_DATABASE_URL is set. `make chaos` runs the full version with every fault.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

# The kill first: it waits for a long task to be running, which is likeliest early on.
FAULTS = ("kill-supervisor", "pause-worker", "pause-supervisor")
# Zero in every run: the checker's own lines (each also counts in "violations").
MUST_BE_ZERO = (
    "no task lost (all terminal)",
    "no task succeeded twice",
    "no overlapping executions",
    "no attempt burnt by a claim that never ran",
    "every transition legal",
    "slots die within 1s of a supervisor SIGKILL",
    "a paused or cut-off worker runs tasks again",
    "a worker whose start-up fails exits",
)


@pytest.mark.timeout(200)
@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_short_chaos_run_with_pauses_and_supervisor_kills_breaks_no_invariant(
    engine: str,
) -> None:
    if engine == "postgres" and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    command = [sys.executable, "-m", "chaos", "chaos", "--database", engine]
    command += ["--tasks", "300", "--duration", "50", "--drain-timeout", "90"]
    command += ["--workers", "4", "--concurrency", "2", "--kill-every", "5", "--no-restart"]
    # A short lease keeps a pause of 2-3 leases short; faults every 5 s in the first half.
    command += ["--lease", "4", "--faults", ",".join(FAULTS), "--fault-every", "5"]
    # Enough long tasks that one runs whenever a supervisor kill comes round; 5-10 s rather
    # than 5-30 s, so the drain does not wait on tasks started at the end of the chaos.
    command += ["--long-share", "0.05", "--long-seconds", "10"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=190)
    output = done.stdout + done.stderr[-3000:]
    counts = {
        name: int(match.group(1))
        for name in MUST_BE_ZERO
        if (match := re.search(rf"^{re.escape(name)}\s+(\d+)$", done.stdout, re.MULTILINE))
    }
    assert counts == dict.fromkeys(MUST_BE_ZERO, 0), output
    assert done.returncode == 0, output
    assert "violations: 0" in done.stdout, output
    # The run did what it says: each fault was injected, workers were killed, ticks fired.
    figures = next(line for line in done.stdout.splitlines() if line.startswith("figures:"))
    assert re.search(r"fault pause-worker [1-9]", figures), figures
    # A supervisor kill needs a long task running on a worker when its turn comes; on a
    # loaded machine none may be, and the runner then skips it. The kill is always made,
    # with a long task running, by tests/integration/worker/test_supervisor_kill.py.
    assert re.search(r"fault kill-supervisor (skipped \(no target\) )?[1-9]", figures), figures
    assert "SIGKILLs" in figures, figures
    assert "schedule ticks 0," not in figures, figures
