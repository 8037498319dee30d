"""The bench's own arithmetic and command line, without databases."""

from __future__ import annotations

import pytest

from bench.report import markdown
from bench.runner import parse, table, targets
from bench.stats import percentile, spread


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7
    assert percentile([3.0, 1.0, 2.0], 100) == 3


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)


def test_spread_is_min_median_max() -> None:
    assert spread([3.0, 1.0, 2.0]) == {"min": 1.0, "median": 2.0, "max": 3.0}


def test_targets_compare_the_median_in_the_right_direction() -> None:
    fast = {"min": 1000.0, "median": 2500.0, "max": 3000.0}
    slow = {"min": 100.0, "median": 120.0, "max": 130.0}
    checked = targets("W1", "postgres", {"single_tasks_per_s": fast, "bulk_tasks_per_s": slow})
    assert checked["single_tasks_per_s"] == {"target": ">= 2000", "met": True}
    assert checked["bulk_tasks_per_s"] == {"target": ">= 50000", "met": False}
    pages = targets("W4", "sqlite", {"tasks_p95_ms": slow, "tasks_p50_ms": slow})
    assert pages == {"tasks_p95_ms": {"target": "<= 300", "met": True}}


def test_only_selects_workloads_in_bench_order() -> None:
    assert parse(["--only", "w3,W1"]).workloads == ["W1", "W3"]
    assert parse(["--only", "W2", "--only", "W5"]).workloads == ["W2", "W5"]
    assert parse([]).workloads == ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9"]


def test_unknown_workload_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(["--only", "W10"])
    assert "unknown workloads ['W10']" in capsys.readouterr().err


def test_table_shows_failures_and_misses() -> None:
    report = {
        "mode": "quick",
        "commit": "abc",
        "cores": 2,
        "load_average_at_start": [1.0],
        "records": [
            {"workload": "W2", "database": "sqlite", "status": "failed", "error": "boom"},
            {
                "workload": "W1",
                "database": "postgres",
                "status": "ok",
                "metrics": {"bulk_tasks_per_s": {"min": 1.0, "median": 2.0, "max": 3.0}},
                "targets": {"bulk_tasks_per_s": {"target": ">= 50000", "met": False}},
            },
        ],
    }
    text = table(report)
    assert "W2        sqlite    failed" in text
    assert "boom" in text
    assert "NO" in text.splitlines()[-1]


def test_markdown_report_marks_misses_and_failures() -> None:
    report = {
        "mode": "full",
        "commit": "0123456789abcdef",
        "dirty": True,
        "cores": 2,
        "load_average_at_start": [7.5],
        "started_at": "2026-11-28T20:00:00+00:00",
        "records": [
            {
                "workload": "W3",
                "database": "postgres",
                "status": "ok",
                "metrics": {"p50_ms": {"min": 4.0, "median": 6.5, "max": 9.0}},
                "targets": {"p50_ms": {"target": "<= 5", "met": False}},
            },
            {"workload": "W4", "database": "sqlite", "status": "failed", "error": "boom\nmore"},
        ],
    }
    text = markdown(report)
    assert "commit `0123456789` (uncommitted changes), 2 cores" in text
    assert "| W3 | postgres | p50_ms | 4.0 | 6.5 | 9.0 | <= 5 | **no** |" in text
    assert "| W4 | sqlite | failed: boom |" in text
