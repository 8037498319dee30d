"""Runs the workloads on each database, prints a table and writes bench/results.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import (
    w1_enqueue,
    w2_drain,
    w3_latency,
    w4_pages,
    w5_memory,
    w6_claims,
    w7_workflows,
    w8_startup,
    w9_rates,
)
from .databases import KINDS, ROOT, Kind, postgres_available, server
from .sizes import MODES, PAGE_P95_TARGETS, TARGETS
from .stats import spread
from .workload import Figures, Workload

WORKLOADS: dict[str, Workload] = {
    module.NAME: module
    for module in (
        w1_enqueue,
        w2_drain,
        w3_latency,
        w4_pages,
        w5_memory,
        w6_claims,
        w7_workflows,
        w8_startup,
        w9_rates,
    )
}
# These fill big tables; see Sizes.heavy_runs.
HEAVY = frozenset({"W4", "W5", "W6", "W7"})
DEFAULT_OUTPUT = ROOT / "bench" / "results.json"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line: which workloads, which databases, how big."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        type=lambda text: [part.strip().upper() for part in text.split(",") if part.strip()],
        help="workloads to run, e.g. --only W2 or --only W1,W3 (default: all)",
    )
    parser.add_argument("--db", choices=(*KINDS, "all"), default="all")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller sizes, one run each")
    size.add_argument("--smoke", action="store_true", help="tiny sizes: proves it runs")
    parser.add_argument("--runs", type=int, help="runs per workload (default: by mode)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    options = parser.parse_args(argv)
    chosen = [name for group in options.only or [list(WORKLOADS)] for name in group]
    unknown = sorted(set(chosen) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workloads {unknown}; choose from {sorted(WORKLOADS)}")
    options.workloads = [name for name in WORKLOADS if name in chosen]
    if options.runs is not None and options.runs < 1:
        parser.error("--runs must be at least 1")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bench; exit code 1 if any workload failed."""
    options = parse(argv)
    mode = "smoke" if options.smoke else "quick" if options.quick else "full"
    sizes = MODES[mode]
    kinds: list[Kind] = list(KINDS) if options.db == "all" else [options.db]
    report: dict[str, Any] = {
        "commit": _git("rev-parse", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "cores": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "mode": mode,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": [],
    }
    for kind in kinds:
        unavailable = postgres_available() if kind == "postgres" else None
        if unavailable:
            for name in options.workloads:
                report["records"].append(_skipped(name, kind, unavailable))
            continue
        with server(kind) as made:
            for name in options.workloads:
                runs = options.runs or (sizes.heavy_runs if name in HEAVY else sizes.runs)
                record = measure(name, kind, runs, lambda n=name: WORKLOADS[n].run(made, sizes))
                report["records"].append(record)
                print(_line(record), file=sys.stderr, flush=True)
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    print(f"\nwritten to {options.output}")
    return 0 if all(r["status"] != "failed" for r in report["records"]) else 1


def measure(name: str, kind: Kind, runs: int, once: Any) -> dict[str, Any]:
    """Run one workload `runs` times; its record (failed, with the error, if a run raised)."""
    record: dict[str, Any] = {
        "workload": name,
        "title": WORKLOADS[name].TITLE,
        "database": kind,
        "runs": runs,
    }
    started = time.monotonic()
    results: list[Figures] = []
    try:
        for _ in range(runs):
            results.append(once())
    except Exception as error:
        record.update(status="failed", error=f"{error}", traceback=traceback.format_exc())
    else:
        record["status"] = "ok"
        metrics = {key: spread([r.metrics[key] for r in results]) for key in results[0].metrics}
        record["metrics"] = {key: _rounded(value) for key, value in metrics.items()}
        record["notes"] = results[-1].notes
        record["targets"] = targets(name, kind, metrics)
    record["seconds"] = round(time.monotonic() - started, 1)
    return record


def targets(name: str, kind: Kind, metrics: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Each metric with a target: the bound and whether the median meets it."""
    checked: dict[str, Any] = {}
    for metric, figures in metrics.items():
        bound = TARGETS.get((name, metric), {}).get(kind)
        if name == "W4" and metric.endswith("_p95_ms"):
            bound = ("<=", PAGE_P95_TARGETS[kind])
        if bound is None:
            continue
        op, value = bound
        median = figures["median"]
        met = median >= value if op == ">=" else median <= value
        checked[metric] = {"target": f"{op} {value:g}", "met": met}
    return checked


def table(report: dict[str, Any]) -> str:
    """The results as a fixed-width text table, one line per metric."""
    header = ("workload", "db", "metric", "min", "median", "max", "target", "met")
    lines = [header]
    for record in report["records"]:
        base = (record["workload"], record["database"])
        if record["status"] != "ok":
            lines.append((*base, record["status"], "", "", "", "", record.get("error", "")[:60]))
            continue
        for metric, figures in record["metrics"].items():
            target = record["targets"].get(metric)
            lines.append(
                (
                    *base,
                    metric,
                    _fmt(figures["min"]),
                    _fmt(figures["median"]),
                    _fmt(figures["max"]),
                    target["target"] if target else "",
                    ("yes" if target["met"] else "NO") if target else "",
                )
            )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    title = (
        f"bench ({report['mode']}), commit {report['commit'][:10]}, {report['cores']} cores, "
        f"load {report['load_average_at_start']}"
    )
    rows = [title, ""] + [
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines
    ]
    return "\n".join(row.rstrip() for row in rows)


def _skipped(name: str, kind: Kind, why: str) -> dict[str, Any]:
    return {"workload": name, "database": kind, "status": "skipped", "error": why, "runs": 0}


def _line(record: dict[str, Any]) -> str:
    status = record["status"]
    detail = record.get("error", "") if status != "ok" else f"{record['seconds']}s"
    return f"{record['workload']} {record['database']}: {status} {detail}".strip()


def _rounded(figures: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 2) for key, value in figures.items()}


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"
