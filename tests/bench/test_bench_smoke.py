"""`make bench` at tiny sizes: every workload runs to the end and results.json has its shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.databases import ROOT
from bench.runner import WORKLOADS

pytestmark = pytest.mark.slow


# Nine workloads, each starting worker processes: about two minutes on a busy machine, past
# the suite's default timeout; the subprocess has its own limit below.
@pytest.mark.timeout(330)
def test_smoke_run_completes_every_workload_with_figures(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--db", "sqlite", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(output.read_text())
    assert report["mode"] == "smoke"
    assert report["cores"] >= 1
    assert len(report["commit"]) == 40
    records = report["records"]
    assert [(r["workload"], r["database"]) for r in records] == [
        (name, "sqlite") for name in WORKLOADS
    ]
    for record in records:
        assert record["status"] == "ok", record.get("traceback")
        assert record["runs"] == 1
        assert record["metrics"], record["workload"]
        for figures in record["metrics"].values():
            assert set(figures) == {"min", "median", "max"}
            assert figures["min"] <= figures["median"] <= figures["max"]
    by_name = {record["workload"]: record for record in records}
    assert by_name["W1"]["metrics"]["bulk_tasks_per_s"]["median"] > 0
    assert by_name["W2"]["metrics"]["workers_2_tasks_per_s"]["median"] > 0
    assert (
        0
        <= by_name["W3"]["metrics"]["p50_ms"]["median"]
        <= by_name["W3"]["metrics"]["p99_ms"]["median"]
    )
    assert by_name["W5"]["metrics"]["rss_late_mb"]["median"] > 10
    pages = by_name["W4"]["notes"]
    assert pages["rows"] == 1000
    assert all(isinstance(pages[name]["status"], int) for name in ("overview", "task_detail"))
    # The printed table names every workload.
    for name in WORKLOADS:
        assert f"\n{name} " in done.stdout
