"""`python -m bench.report [bench/results.json]`: the results as a Markdown table for the docs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .runner import DEFAULT_OUTPUT


def markdown(report: dict[str, Any]) -> str:
    """One row per metric: workload, database, min/median/max, target and whether it is met."""
    lines = [
        f"Mode {report['mode']}, commit `{report['commit'][:10]}`"
        f"{' (uncommitted changes)' if report.get('dirty') else ''}, {report['cores']} cores, "
        f"load average at start {report['load_average_at_start'][0]}, {report['started_at']}.",
        "",
        "| workload | db | metric | min | median | max | target | met |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for record in report["records"]:
        head = f"| {record['workload']} | {record['database']} |"
        if record["status"] != "ok":
            error = str(record.get("error", "")).splitlines()[0][:80] if record.get("error") else ""
            lines.append(f"{head} {record['status']}: {error} | | | | | |")
            continue
        for metric, figures in record["metrics"].items():
            target = record["targets"].get(metric)
            met = ("yes" if target["met"] else "**no**") if target else ""
            cells = " | ".join(_fmt(figures[key]) for key in ("min", "median", "max"))
            lines.append(
                f"{head} {metric} | {cells} | {target['target'] if target else ''} | {met} |"
            )
    return "\n".join(lines)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def main() -> None:
    """Print the Markdown table of a results file."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    print(markdown(json.loads(path.read_text())))


if __name__ == "__main__":
    main()
