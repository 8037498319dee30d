"""docs/alerts.md's Prometheus rules: valid YAML naming exported metrics; promtool-clean."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from api.metrics import COUNTERS

DOC = Path(__file__).resolve().parents[1] / "docs" / "alerts.md"
EXPORTED = {
    "scheduler_tasks",
    "scheduler_oldest_ready_task_age_seconds",
    "scheduler_workers_live",
    *(f"scheduler_tasks_{name}" for name in COUNTERS),
}


def rules_text() -> str:
    """The YAML block after the prometheus-rules marker."""
    text = DOC.read_text()
    after = text.split("<!-- prometheus-rules -->", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", after, re.DOTALL)
    assert match, "no yaml block after the marker"
    return match.group(1)


def test_the_rules_parse_and_name_only_exported_metrics() -> None:
    groups = yaml.safe_load(rules_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert len(rules) >= 5
    for rule in rules:
        assert {"alert", "expr"} <= set(rule)
        names = set(re.findall(r"\bscheduler_[a-z_]+", rule["expr"]))
        assert names and names <= EXPORTED, (rule["alert"], names - EXPORTED)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed here")
def test_promtool_accepts_the_rules(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(rules_text())
    checked = subprocess.run(
        ["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
