"""The maintenance pass runs the metrics rollup, apart from the other jobs: a failing
rollup is logged and holds nothing else back, and a storage without one is skipped."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import pytest

from scheduler_core.bootstrap import build_services
from scheduler_core.domain.ports import MetricsRollup
from scheduler_core.executor.maintenance import MaintenanceThread


class CountingRollup(MetricsRollup):
    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    def roll_up(self) -> object:
        self.calls += 1
        if self.fail:
            raise RuntimeError("database away")
        return None


def thread(rollup: MetricsRollup | None) -> MaintenanceThread:
    services = dataclasses.replace(build_services("memory"), metrics=rollup)
    return MaintenanceThread(services=services, interval=1.0, stale_after=timedelta(seconds=30))


def test_each_pass_rolls_the_metrics_up() -> None:
    rollup = CountingRollup()
    maintenance = thread(rollup)
    maintenance.run_once()
    maintenance.run_once()
    assert rollup.calls == 2


def test_a_failing_rollup_is_logged_and_the_pass_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    maintenance = thread(CountingRollup(fail=True))
    with caplog.at_level(logging.ERROR):
        maintenance.run_once()
    assert "metrics rollup failed" in caplog.text


def test_a_storage_without_a_rollup_is_skipped() -> None:
    assert build_services("memory").metrics is None
    thread(None).run_once()
