"""The Makefile compiles the project's bytecode before anything it starts imports the project.

A worker imports about 250 of the project's modules before its first task. Compiled from
source at every start (PYTHONDONTWRITEBYTECODE, set on the CI machine, keeps Python from
saving them), they took about a quarter of its start-up: W8 went from 0.46 to 0.35 s on
PostgreSQL with the bytecode compiled (docs/performance.md, round 7).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each target, and the command in its recipe that first imports the project.
STARTS_THE_PROJECT = {
    "run": "manage.py migrate",
    "test": "pytest",
    "bench": "-m bench",
    "bench-smoke": "-m bench",
    "chaos": "-m chaos",
    "chaos-sqlite": "-m chaos",
    "soak": "-m chaos",
}

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _planned(target: str) -> list[str]:
    """The commands `make TARGET` would run, in order (make -n runs none of them)."""
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target], capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def _first(lines: list[str], needle: str) -> int:
    return next(index for index, line in enumerate(lines) if needle in line)


@needs_make
@pytest.mark.parametrize("target", sorted(STARTS_THE_PROJECT))
def test_a_target_compiles_the_bytecode_before_it_imports_the_project(target: str) -> None:
    lines = _planned(target)

    assert any("compileall" in line for line in lines), lines
    assert _first(lines, "compileall") < _first(lines, STARTS_THE_PROJECT[target])


@needs_make
def test_every_package_of_the_project_is_compiled() -> None:
    compile_line = next(line for line in _planned("bytecode") if "compileall" in line)
    compiled = set(compile_line.split())
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if not path.parent.name.startswith(".")
    }

    assert packages - compiled == set()
    assert "manage.py" in compiled


# Where a worker started without compiled bytecode saves it: a cache folder of this test's
# own (PYTHONPYCACHEPREFIX), so what `make bytecode` compiled cannot hide a missing write.
def _cached_after(tmp_path: Path, command: str, **env: str) -> set[str]:
    prefix = tmp_path / "pycache"
    environment = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPYCACHEPREFIX": str(prefix),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        **env,
    }
    subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return {path.name.split(".")[0] for path in prefix.rglob("*.pyc")}


def test_a_worker_saves_the_bytecode_it_compiled_under_pythondontwritebytecode(
    tmp_path: Path,
) -> None:
    cached = _cached_after(tmp_path, "runworkers")

    assert {"supervisor", "worker_apps", "settings"} <= cached


def test_a_worker_told_not_to_saves_none(tmp_path: Path) -> None:
    assert _cached_after(tmp_path, "runworkers", SCHEDULER_WORKER_SAVE_BYTECODE="0") == set()


def test_other_commands_leave_pythondontwritebytecode_alone(tmp_path: Path) -> None:
    assert _cached_after(tmp_path, "migrate") == set()
