"""Coverage traces the core's own tests in `make test`, and every test with --cover-all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.coverage_scope import OPTION, active_controller, traced

ROOT = Path(__file__).resolve().parent


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("unit/domain/test_task_state_machine.py", True),
        ("contract/test_queue_contract.py", True),
        ("integration/worker/test_pause.py", False),
        ("e2e/test_login.py", False),
        ("test_coverage_scope.py", False),
    ],
)
def test_only_the_unit_and_contract_folders_are_traced(relative: str, expected: bool) -> None:
    assert traced(ROOT / relative) is expected


def test_a_file_outside_the_tests_is_not_traced() -> None:
    assert traced(ROOT.parent / "manage.py") is False


@pytest.fixture
def tracing_in_set_up(request: pytest.FixtureRequest) -> bool:
    return active_controller(request.config) is not None


def test_this_test_runs_untraced_from_its_set_up_unless_every_test_is(
    request: pytest.FixtureRequest, tracing_in_set_up: bool
) -> None:
    if request.config.pluginmanager.get_plugin("_cov") is None or request.config.getoption(
        "no_cov", default=False
    ):
        pytest.skip("coverage is not measuring this run")
    every = bool(request.config.getoption(OPTION))
    assert tracing_in_set_up is every
    assert (active_controller(request.config) is not None) is every
