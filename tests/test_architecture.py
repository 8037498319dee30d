"""The import contracts really bite: a domain module importing Django breaks the build."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def domain_contract_project(tmp_path: Path, extra_module: str | None) -> Path:
    """A copy of the domain package and its contract, plus one optional extra module."""
    package = tmp_path / "scheduler_core"
    shutil.copytree(ROOT / "scheduler_core" / "domain", package / "domain")
    (package / "__init__.py").write_text("")
    # A sibling of the domain, standing in for the ORM models the domain must not import.
    (package / "models.py").write_text("")
    if extra_module is not None:
        (package / "domain" / "offender.py").write_text(extra_module)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [contract] = [c for c in config["contracts"] if c["id"] == "domain-stdlib-only"]
    forbidden = ", ".join(f'"{module}"' for module in contract["forbidden_modules"])
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\n"
        "root_packages =\n    scheduler_core\n    django\n"
        "include_external_packages = True\n\n"
        "[importlinter:contract:domain]\n"
        f"name = {contract['name']}\n"
        "type = forbidden\n"
        "source_modules =\n    scheduler_core.domain\n"
        "forbidden_modules =\n    " + forbidden.replace('"', "").replace(", ", "\n    ") + "\n"
    )
    return tmp_path


def run_contract(project: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports over the project, with Django importable from the virtualenv."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_domain_contract_holds_for_the_real_domain(tmp_path: Path) -> None:
    result = run_contract(domain_contract_project(tmp_path, extra_module=None))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "offence",
    ["import django\n", "from django.db import models\n", "from scheduler_core import models\n"],
)
def test_domain_contract_breaks_when_the_domain_imports_outside_the_stdlib(
    tmp_path: Path, offence: str
) -> None:
    result = run_contract(domain_contract_project(tmp_path, extra_module=offence))
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
