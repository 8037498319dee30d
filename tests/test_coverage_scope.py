"""Coverage traces the core's own tests in `make test`, and every test with --cover-all."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.coverage_scope import OPTION, active_controller, pytest_runtest_protocol, traced

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


def skip_unless_measuring(config: pytest.Config) -> None:
    if config.pluginmanager.get_plugin("_cov") is None or config.getoption("no_cov", default=False):
        pytest.skip("coverage is not measuring this run")


@pytest.fixture
def tracing_in_set_up(request: pytest.FixtureRequest) -> bool:
    return active_controller(request.config) is not None


def test_this_test_runs_untraced_from_its_set_up_unless_every_test_is(
    request: pytest.FixtureRequest, tracing_in_set_up: bool
) -> None:
    skip_unless_measuring(request.config)
    every = bool(request.config.getoption(OPTION))
    assert tracing_in_set_up is every
    assert (active_controller(request.config) is not None) is every


class FakeController:
    """pytest-cov's controller as the pause needs it: started, pause, resume."""

    def __init__(self) -> None:
        self.started = True
        self.starts = 0

    def pause(self) -> None:
        self.started = False

    def resume(self) -> None:
        self.started = True
        self.starts += 1


def run_protocol(controller: FakeController, *, marked_no_cover: bool) -> None:
    """Drive the pause around one test outside the core, as pytest would."""
    plugin = SimpleNamespace(cov_controller=controller)
    config = SimpleNamespace(
        getoption=lambda name: False,
        pluginmanager=SimpleNamespace(get_plugin=lambda name: plugin),
    )
    item = SimpleNamespace(config=config, path=ROOT / "integration" / "test_x.py")
    protocol = pytest_runtest_protocol(item, None)  # type: ignore[arg-type]
    next(protocol)
    assert controller.started is False
    if marked_no_cover:
        # pytest-cov's own wrapper around the call of a test marked no_cover.
        controller.pause()
        controller.resume()
    with pytest.raises(StopIteration):
        next(protocol)


def test_a_test_outside_the_core_is_resumed_once() -> None:
    controller = FakeController()
    run_protocol(controller, marked_no_cover=False)
    assert (controller.started, controller.starts) == (True, 1)


def test_a_no_cover_test_outside_the_core_is_not_resumed_twice() -> None:
    # Started twice, coverage stacked one more collector after each such test: 13 after
    # the hostile property tests' file.
    controller = FakeController()
    run_protocol(controller, marked_no_cover=True)
    assert (controller.started, controller.starts) == (True, 1)
