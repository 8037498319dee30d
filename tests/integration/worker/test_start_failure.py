"""A start-up that fails after slots were forked stops them, and the process can exit.

Slots ignore SIGTERM, so multiprocessing's exit handler (terminate, then join) would wait
for them for ever if the supervisor left them running. The supervisor records itself as
running and starts its threads before it forks the slots (the first claim runs while they
are forked), so a start can fail at a later slot's fork, with the threads running.
"""

from __future__ import annotations

import pytest

from scheduler_core.bootstrap import build_services
from scheduler_core.executor.config import WorkerConfig
from scheduler_core.executor.slots import ProcessSlot
from scheduler_core.executor.supervisor import Supervisor

from .conftest import wait_until
from .processes import alive


def test_a_failed_start_stops_the_slots_it_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    services = build_services("memory", task_names=[])
    supervisor = Supervisor(WorkerConfig(concurrency=3, worker_id="w1"), services)
    # The test process keeps its own signal handlers.
    monkeypatch.setattr(supervisor.stop_signals, "install", lambda: None)
    forked = 0
    fork = ProcessSlot.start

    def third_fork_fails(slot: ProcessSlot) -> None:
        nonlocal forked
        if forked == 2:
            raise RuntimeError("the start failed")
        forked += 1
        fork(slot)

    monkeypatch.setattr(ProcessSlot, "start", third_fork_fails)

    with pytest.raises(RuntimeError, match="the start failed"):
        supervisor.run()

    slots = [slot for slot in supervisor.slots if isinstance(slot, ProcessSlot)]
    assert len(slots) == 2
    pids = [slot.pid for slot in slots if slot.pid is not None]
    wait_until(lambda: not any(alive(pid) for pid in pids), timeout=10, what="the slots to die")
    assert not supervisor.fetcher.is_alive()


def test_a_worker_that_could_not_record_its_start_forks_no_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = build_services("memory", task_names=[])
    supervisor = Supervisor(WorkerConfig(concurrency=2, worker_id="w1"), services)
    monkeypatch.setattr(supervisor.stop_signals, "install", lambda: None)

    def start_fails(worker_id: str) -> None:
        raise RuntimeError("the start failed")

    monkeypatch.setattr(services.workers, "start", start_fails)

    with pytest.raises(RuntimeError, match="the start failed"):
        supervisor.run()

    assert supervisor.slots == []
    assert supervisor.fetcher.ident is None
