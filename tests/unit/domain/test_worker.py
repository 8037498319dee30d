"""A worker's rules, capacity, liveness and states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from scheduler_core.domain import InvalidTransition, Worker, WorkerInvalid, WorkerState
from scheduler_core.domain.worker import MAX_CONCURRENCY, MAX_WORKER_ID_LENGTH

W = WorkerState
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)


def new_worker(**overrides: Any) -> Worker:
    fields: dict[str, Any] = {
        "id": "host-1:4242",
        "hostname": "host-1",
        "pid": 4242,
        "queues": ("default", "emails"),
        "concurrency": 4,
        "started_at": NOW,
        "last_heartbeat": NOW,
    }
    fields.update(overrides)
    return Worker(**fields)


def test_a_well_formed_worker_is_valid() -> None:
    new_worker().validate()
    new_worker(id="w" * MAX_WORKER_ID_LENGTH, concurrency=MAX_CONCURRENCY).validate()
    new_worker(queues=("q",), concurrency=1).validate()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id": ""}, "id"),
        ({"id": "   "}, "id"),
        ({"id": None}, "id"),
        ({"id": "w" * (MAX_WORKER_ID_LENGTH + 1)}, "id"),
        ({"hostname": ""}, "hostname"),
        ({"hostname": " "}, "hostname"),
        ({"hostname": 7}, "hostname"),
        ({"pid": 0}, "pid"),
        ({"pid": -1}, "pid"),
        ({"pid": True}, "pid"),
        ({"pid": "42"}, "pid"),
        ({"queues": ()}, "queues"),
        ({"queues": ("",)}, "queues"),
        ({"queues": ("ok", "bad name")}, "queues"),
        ({"queues": ("q" * 101,)}, "queues"),
        ({"queues": (None,)}, "queues"),
        ({"queues": ("a", "b", "a")}, "queues"),
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": MAX_CONCURRENCY + 1}, "concurrency"),
        ({"concurrency": True}, "concurrency"),
        ({"concurrency": 2.0}, "concurrency"),
        ({"started_at": datetime(2026, 1, 1)}, "started_at"),
        ({"started_at": "2026-01-01"}, "started_at"),
        ({"last_heartbeat": datetime(2026, 1, 1)}, "last_heartbeat"),
    ],
)
def test_invalid_field_is_named(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(WorkerInvalid) as caught:
        new_worker(**overrides).validate()

    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("state", "concurrency", "active", "free"),
    [
        (W.STARTING, 4, 0, 0),
        (W.RUNNING, 4, 0, 4),
        (W.RUNNING, 4, 3, 1),
        (W.RUNNING, 4, 4, 0),
        # More tasks than slots (concurrency lowered on restart) is no negative capacity.
        (W.RUNNING, 2, 3, 0),
        (W.DRAINING, 4, 1, 0),
        (W.STOPPED, 4, 0, 0),
        (W.DEAD, 4, 0, 0),
    ],
)
def test_free_slots_and_capacity(
    state: WorkerState, concurrency: int, active: int, free: int
) -> None:
    worker = new_worker(state=state, concurrency=concurrency)
    worker.active_task_ids = {uuid4() for _ in range(active)}

    assert worker.free_slots() == free
    assert worker.has_capacity() is (free > 0)


@pytest.mark.parametrize(
    ("state", "silent_for", "alive"),
    [
        (W.RUNNING, timedelta(0), True),
        (W.RUNNING, TTL, True),
        (W.RUNNING, TTL + timedelta(microseconds=1), False),
        (W.STARTING, TTL, True),
        (W.DRAINING, TTL / 2, True),
        (W.DRAINING, TTL * 2, False),
        (W.STOPPED, timedelta(0), False),
        (W.DEAD, timedelta(0), False),
    ],
)
def test_is_alive(state: WorkerState, silent_for: timedelta, alive: bool) -> None:
    worker = new_worker(state=state)

    assert worker.is_alive(NOW + silent_for, TTL) is alive


def test_heartbeat_keeps_a_worker_alive() -> None:
    worker = new_worker(state=W.RUNNING)
    later = NOW + TTL * 3

    worker.heartbeat(later)

    assert worker.last_heartbeat == later
    assert worker.is_alive(later + TTL, TTL)


@pytest.mark.parametrize("state", [W.STOPPED, W.DEAD])
def test_an_exited_worker_cannot_beat(state: WorkerState) -> None:
    worker = new_worker(state=state)

    with pytest.raises(InvalidTransition):
        worker.heartbeat(NOW + TTL)

    assert worker.last_heartbeat == NOW


LEGAL = {
    (W.STARTING, W.RUNNING),
    (W.STARTING, W.DRAINING),
    (W.STARTING, W.STOPPED),
    (W.RUNNING, W.DRAINING),
    (W.RUNNING, W.STOPPED),
    (W.DRAINING, W.STOPPED),
    (W.STARTING, W.DEAD),
    (W.RUNNING, W.DEAD),
    (W.DRAINING, W.DEAD),
}


@pytest.mark.parametrize("target", list(WorkerState))
@pytest.mark.parametrize("source", list(WorkerState))
def test_move_to(source: WorkerState, target: WorkerState) -> None:
    worker = new_worker(state=source)

    if source is target or (source, target) in LEGAL:
        worker.move_to(target)
        assert worker.state is target
    else:
        with pytest.raises(InvalidTransition):
            worker.move_to(target)
        assert worker.state is source
