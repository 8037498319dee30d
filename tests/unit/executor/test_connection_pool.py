"""The worker's PostgreSQL pool grows to one connection per thread that keeps one."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler_core.executor import connection_pool
from scheduler_core.executor.config import WorkerConfig
from scheduler_core.executor.connection_pool import connections_needed, fit_connection_pool


class FakeWrapper:
    """The parts of Django's PostgreSQL wrapper the sizing touches."""

    def __init__(self, vendor: str, options: dict[str, Any], pool_made: bool) -> None:
        self.vendor = vendor
        self.settings_dict: dict[str, Any] = {"OPTIONS": options}
        self._connection_pools: dict[str, object] = {"default": object()} if pool_made else {}
        self.closed_pool = False

    def close(self) -> None:
        pass

    def close_pool(self) -> None:
        self.closed_pool = True
        del self._connection_pools["default"]


def fit(monkeypatch: pytest.MonkeyPatch, wrapper: FakeWrapper, needed: int) -> None:
    monkeypatch.setattr(connection_pool, "connections", {"default": wrapper})
    fit_connection_pool("default", needed)


def test_a_worker_needs_its_supervisor_threads_and_its_thread_slots() -> None:
    assert connections_needed(WorkerConfig(concurrency=4, pool="process")) == 6
    assert connections_needed(WorkerConfig(concurrency=4, pool="thread")) == 10


def test_the_default_pool_of_four_grows_and_is_made_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrapper = FakeWrapper("postgresql", {"pool": True}, pool_made=True)

    fit(monkeypatch, wrapper, 5)

    assert wrapper.settings_dict["OPTIONS"]["pool"] == {"max_size": 5}
    assert wrapper.closed_pool


def test_a_configured_pool_keeps_its_options_and_a_big_enough_one_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small = FakeWrapper("postgresql", {"pool": {"min_size": 2, "timeout": 5}}, pool_made=False)
    fit(monkeypatch, small, 9)
    assert small.settings_dict["OPTIONS"]["pool"] == {"min_size": 2, "timeout": 5, "max_size": 9}
    assert not small.closed_pool

    big = FakeWrapper("postgresql", {"pool": {"max_size": 20}}, pool_made=True)
    fit(monkeypatch, big, 9)
    assert big.settings_dict["OPTIONS"]["pool"] == {"max_size": 20}
    assert not big.closed_pool


@pytest.mark.parametrize(("vendor", "options"), [("sqlite", {}), ("postgresql", {})])
def test_databases_without_a_pool_are_left_alone(
    monkeypatch: pytest.MonkeyPatch, vendor: str, options: dict[str, Any]
) -> None:
    wrapper = FakeWrapper(vendor, options, pool_made=False)
    fit(monkeypatch, wrapper, 9)
    assert wrapper.settings_dict["OPTIONS"] == options
