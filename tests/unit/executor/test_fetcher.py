"""The fetcher claims once per wake-up: a short claim means wait for news, not claim again."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.executor.supervisor import Supervisor

from .supervising import started_supervisor

NAME = "tests.noop"
LEASE = timedelta(seconds=30)


@pytest.fixture
def services() -> Services:
    return build_services("memory", task_names=[NAME], lease=LEASE)


@pytest.fixture
def claims(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every claim the worker service is asked for, by kind, in order."""
    made: list[str] = []

    def counted(kind: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            made.append(kind)
            return method(*args, **kwargs)

        return call

    workers = services.workers
    monkeypatch.setattr(workers, "claim", counted("claim", workers.claim))
    monkeypatch.setattr(workers, "claim_waiting", counted("waiting", workers.claim_waiting))
    return made


def held_count(supervisor: Supervisor, count: int) -> Callable[[], bool]:
    return lambda: len(supervisor.held) >= count


def wait_until(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_an_idle_worker_claims_once_per_wake_up(services: Services, claims: list[str]) -> None:
    supervisor = started_supervisor(services, lease=LEASE, heartbeat_interval=10)
    fetcher = supervisor.fetcher
    # Long enough that only a wake-up, never the timeout, can explain a prompt claim.
    fetcher.idle_wait = 30
    fetcher.start()
    try:
        # The first claim finds nothing, and the fetcher waits.
        wait_until(lambda: claims == ["claim"])
        services.tasks.submit(SubmitRequest(name=NAME))
        wait_until(held_count(supervisor, 1))
        time.sleep(0.3)
        # Woken, it claimed the task, one for two slots: a short claim. Nothing more
        # until news, where it used to claim again at once, and then wait in a claim.
        assert claims == ["claim", "claim"]

        services.tasks.submit(SubmitRequest(name=NAME))
        wait_until(held_count(supervisor, 2), timeout=2.0)
        time.sleep(0.3)
        assert claims == ["claim", "claim", "claim"]
    finally:
        fetcher.stopping.set()
        # Wakes the fetcher's wait, so that it sees it must stop.
        services.tasks.submit(SubmitRequest(name=NAME))
        fetcher.join(timeout=5)
    assert not fetcher.is_alive()


def test_a_claim_after_a_wait_asks_only_for_what_is_free_after_it(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    supervisor = started_supervisor(services, lease=LEASE, heartbeat_interval=10)
    limits: list[int] = []
    workers = services.workers
    claim = workers.claim

    def recorded(worker: Any, limit: int, **kwargs: Any) -> Any:
        limits.append(limit)
        return claim(worker, limit, **kwargs)

    monkeypatch.setattr(workers, "claim", recorded)
    supervisor.capacity.open_buffer(supervisor.config.buffer)
    fetcher = supervisor.fetcher
    fetcher.idle_wait = 30
    fetcher.start()
    try:
        # The first claim asks for the slots and the open buffer, finds nothing, and waits.
        wait_until(lambda: len(limits) == 1)
        assert limits[0] == 2 + supervisor.config.buffer
        time.sleep(0.1)
        # Meanwhile the supervisor shuts the buffer (it handed tasks back behind long runs).
        supervisor.capacity.open_buffer(0)
        services.tasks.submit(SubmitRequest(name=NAME))
        wait_until(held_count(supervisor, 1))

        # Woken, it claims for the two slots alone, not on what it had reserved before.
        assert limits[1:] == [2]
    finally:
        fetcher.stopping.set()
        services.tasks.submit(SubmitRequest(name=NAME))
        fetcher.join(timeout=5)
