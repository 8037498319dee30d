"""Which tests coverage traces in `make test`: the unit and contract tests, the core's own.

`make test` gates the branch coverage of the domain and the in-memory adapters, and those
must stay exercised by their own tests (tests/unit, tests/contract), not by the
integration, browser and fault tests that happen to pass through them. Tracing is not
free: on Python 3.13 coverage's tracer slowed every traced test by about half (the
alerts API and metrics pages: 24 s of CPU untraced, 40 s traced, 37 s with only the core
measured, because the tracer's cost is per call, not per measured line), and tracing the
whole suite kept `make test` past its ten minutes on two cores. sys.monitoring, which
costs almost nothing, measures branches only from Python 3.14.

So every other test runs with coverage paused, from its set-up to its teardown (pytest-cov's
own `no_cover` marker pauses only the test's call, and a test's fixtures, the database's
flush among them, cost as much again), and `make coverage` (`--cover-all`) traces the whole
suite for a report of the whole project.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The tests that measure the core, as folders under tests/.
CORE_TEST_FOLDERS = ("unit", "contract")
OPTION = "--cover-all"
TESTS_ROOT = Path(__file__).resolve().parent


def add_option(parser: pytest.Parser) -> None:
    parser.addoption(
        OPTION,
        action="store_true",
        help="let coverage trace every test, not only tests/unit and tests/contract",
    )


def traced(path: Path, tests_root: Path = TESTS_ROOT) -> bool:
    """Whether coverage traces the test in this file when the suite runs as `make test`."""
    try:
        folder = path.relative_to(tests_root).parts[0]
    except (ValueError, IndexError):
        return False
    return folder in CORE_TEST_FOLDERS


def active_controller(config: pytest.Config) -> Any | None:
    """pytest-cov's controller in this process while it traces, else None."""
    plugin = config.pluginmanager.get_plugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    return controller if getattr(controller, "started", False) else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Run a test outside the core's folders with coverage paused, set-up to teardown."""
    controller = None
    if not item.config.getoption(OPTION) and not traced(item.path):
        controller = active_controller(item.config)
    if controller is None:
        return (yield)
    controller.pause()
    try:
        return (yield)
    finally:
        # A test marked no_cover had pytest-cov pause and resume around its call already;
        # a second start would stack a second collector on the first.
        if not controller.started:
            controller.resume()
