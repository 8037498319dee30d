"""InMemoryWorkerRepository beyond the contract: copies, the manual clock and races."""

from __future__ import annotations

import threading
from datetime import timedelta
from uuid import uuid4

from scheduler_core.domain import Worker, WorkerInvalid, WorkerState
from scheduler_core.memory import InMemoryStorage, ManualClock


def make_worker(clock: ManualClock, worker_id: str = "w1") -> Worker:
    now = clock.now()
    return Worker(
        id=worker_id,
        hostname="host",
        pid=1,
        queues=("default",),
        concurrency=2,
        started_at=now,
        last_heartbeat=now,
    )


def test_workers_go_in_and_come_out_as_copies(storage: InMemoryStorage, clock: ManualClock) -> None:
    worker = make_worker(clock)
    storage.workers.register(worker)
    storage.workers.set_state("w1", WorkerState.RUNNING)

    worker.active_task_ids.add(uuid4())
    for read in [
        storage.workers.get("w1"),
        storage.workers.heartbeat("w1"),
        *storage.workers.find_available(),
        *storage.workers.list_all(),
    ]:
        read.active_task_ids.add(uuid4())
        read.state = WorkerState.STOPPED

    stored = storage.workers.get("w1")
    assert (stored.active_task_ids, stored.state) == (set(), WorkerState.RUNNING)


def test_staleness_follows_the_manual_clock(storage: InMemoryStorage, clock: ManualClock) -> None:
    storage.workers.register(make_worker(clock))
    ttl = timedelta(seconds=30)

    clock.advance(ttl)
    assert storage.workers.find_stale(ttl) == []
    clock.advance(timedelta(microseconds=1))
    assert [w.id for w in storage.workers.find_stale(ttl)] == ["w1"]
    storage.workers.heartbeat("w1")
    assert storage.workers.find_stale(ttl) == []


def test_only_one_of_many_parallel_registrations_of_an_id_wins(
    storage: InMemoryStorage, clock: ManualClock
) -> None:
    gate = threading.Barrier(8)
    refused: list[WorkerInvalid] = []

    def register(host: int) -> None:
        worker = make_worker(clock)
        worker.hostname = f"host-{host}"
        gate.wait()
        try:
            storage.workers.register(worker)
        except WorkerInvalid as error:
            refused.append(error)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(refused) == 7
    assert [w.id for w in storage.workers.list_all()] == ["w1"]
