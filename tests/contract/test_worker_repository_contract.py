"""WorkerRepository contract: registration, heartbeats, states and lookups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler_core.domain import (
    InvalidTransition,
    WorkerInvalid,
    WorkerLoad,
    WorkerNotFound,
    WorkerState,
)

from .factories import TaskFactory, WorkerFactory
from .kits import StorageKit


def test_a_registered_worker_reads_back_equal(kit: StorageKit, make_worker: WorkerFactory) -> None:
    worker = make_worker.build(queues=("emails", "default"), concurrency=3)

    kit.workers.register(worker)

    assert kit.workers.get(worker.id) == worker


def test_get_of_an_unknown_worker_raises_worker_not_found(kit: StorageKit) -> None:
    with pytest.raises(WorkerNotFound):
        kit.workers.get("ghost")


def test_register_validates_the_worker(kit: StorageKit, make_worker: WorkerFactory) -> None:
    with pytest.raises(WorkerInvalid) as caught:
        kit.workers.register(make_worker.build(concurrency=0))

    assert caught.value.field == "concurrency"
    with pytest.raises(WorkerNotFound):
        kit.workers.get("w1")


def test_an_id_held_by_a_worker_that_has_not_stopped_is_refused(
    kit: StorageKit, make_worker: WorkerFactory
) -> None:
    make_worker.add("w1", state=WorkerState.RUNNING)

    with pytest.raises(WorkerInvalid) as caught:
        kit.workers.register(make_worker.build("w1", hostname="other-host"))

    assert caught.value.field == "id"
    assert kit.workers.get("w1").hostname == "host-1"


def test_the_id_of_a_stopped_worker_may_be_registered_again(
    kit: StorageKit, make_worker: WorkerFactory
) -> None:
    make_worker.add("w1")
    kit.workers.set_state("w1", WorkerState.STOPPED)

    again = make_worker.add("w1", hostname="new-host")

    assert kit.workers.get("w1") == again


def test_heartbeat_stamps_the_storage_clock(kit: StorageKit, make_worker: WorkerFactory) -> None:
    make_worker.add("w1", last_heartbeat=kit.now() - timedelta(hours=1))

    before = kit.now()
    beaten = kit.workers.heartbeat("w1")
    after = kit.now()

    assert before <= beaten.last_heartbeat <= after
    assert kit.workers.get("w1") == beaten


def test_heartbeat_keeps_the_load_it_reports_and_a_bare_beat_keeps_the_last(
    kit: StorageKit, make_worker: WorkerFactory
) -> None:
    make_worker.add("w1")
    assert kit.workers.get("w1").load == WorkerLoad()

    load = WorkerLoad(processed=10, failed=3, rss_bytes=123_456_789)
    assert kit.workers.heartbeat("w1", load).load == load
    assert kit.workers.get("w1").load == load
    kit.workers.heartbeat("w1")
    assert kit.workers.get("w1").load == load


def test_heartbeat_of_an_unknown_or_stopped_worker_is_refused(
    kit: StorageKit, make_worker: WorkerFactory
) -> None:
    make_worker.add("w1", state=WorkerState.STOPPED)

    with pytest.raises(WorkerNotFound):
        kit.workers.heartbeat("ghost")
    with pytest.raises(InvalidTransition):
        kit.workers.heartbeat("w1")


def test_set_state_follows_the_worker_lifecycle(
    kit: StorageKit, make_worker: WorkerFactory
) -> None:
    make_worker.add("w1")

    assert kit.workers.set_state("w1", WorkerState.RUNNING).state is WorkerState.RUNNING
    assert kit.workers.set_state("w1", WorkerState.DRAINING).state is WorkerState.DRAINING
    with pytest.raises(InvalidTransition):
        kit.workers.set_state("w1", WorkerState.RUNNING)
    assert kit.workers.get("w1").state is WorkerState.DRAINING
    with pytest.raises(WorkerNotFound):
        kit.workers.set_state("ghost", WorkerState.STOPPED)


def test_find_available_returns_running_workers_with_a_free_slot(
    kit: StorageKit, make_worker: WorkerFactory, make_task: TaskFactory
) -> None:
    running = WorkerState.RUNNING
    make_worker.add("free", state=running, queues=("emails", "default"))
    # Full: it holds as many running tasks as it has slots.
    make_worker.add("full", state=running, concurrency=1)
    make_task.add_running("full")
    make_worker.add("starting")
    make_worker.add("other-queue", state=running, queues=("reports",))

    assert {w.id for w in kit.workers.find_available()} == {"free", "other-queue"}
    assert {w.id for w in kit.workers.find_available("emails")} == {"free"}
    assert kit.workers.find_available("nowhere") == []


def test_find_stale_returns_live_workers_whose_heartbeat_is_older_than_the_ttl(
    kit: StorageKit, make_worker: WorkerFactory
) -> None:
    hour_ago = kit.now() - timedelta(hours=1)
    make_worker.add("silent", state=WorkerState.RUNNING, last_heartbeat=hour_ago)
    make_worker.add("stopped", state=WorkerState.STOPPED, last_heartbeat=hour_ago)
    make_worker.add("dead", state=WorkerState.DEAD, last_heartbeat=hour_ago)
    make_worker.add("beating", state=WorkerState.RUNNING)

    assert [w.id for w in kit.workers.find_stale(timedelta(minutes=5))] == ["silent"]
    assert kit.workers.find_stale(timedelta(hours=2)) == []


def test_list_all_is_newest_started_first(kit: StorageKit, make_worker: WorkerFactory) -> None:
    now = kit.now()
    for worker_id, age in [("middle", 5), ("oldest", 9), ("newest", 1)]:
        make_worker.add(worker_id, started_at=now - timedelta(minutes=age))

    assert [w.id for w in kit.workers.list_all()] == ["newest", "middle", "oldest"]
