"""Capacity: claims never exceed free slots, plus the buffer only while it is open."""

from __future__ import annotations

import threading

import pytest

from scheduler_core.executor.capacity import Capacity


def test_closed_buffer_hands_out_only_the_slots() -> None:
    capacity = Capacity(4, extra=4)

    assert capacity.reserve(timeout=0) == 4
    assert capacity.reserve(timeout=0) == 0
    capacity.release(1)
    assert capacity.reserve(timeout=0) == 1


def test_open_buffer_adds_its_units_and_waits_for_a_batch() -> None:
    capacity = Capacity(4, extra=4)
    capacity.open_buffer(4)

    assert capacity.reserve(timeout=0) == 8
    capacity.release(3)
    # Three free is less than a buffer's worth: the slots still have buffered work.
    assert capacity.reserve(timeout=0) == 0
    capacity.release(1)
    assert capacity.reserve(timeout=0) == 4


def test_closing_the_buffer_withholds_its_units_again() -> None:
    capacity = Capacity(2, extra=2)
    capacity.open_buffer(2)
    assert capacity.reserve(timeout=0) == 4
    capacity.open_buffer(0)
    capacity.release(2)

    # Four held, two back: the two are the buffer's, and it is closed.
    assert capacity.free == 0
    assert capacity.reserve(timeout=0) == 0
    capacity.release(1)
    assert capacity.reserve(timeout=0) == 1


def test_without_a_buffer_any_free_slot_is_claimed() -> None:
    capacity = Capacity(3)
    capacity.open_buffer(4)

    assert capacity.reserve(timeout=0) == 3
    capacity.release(1)
    assert capacity.reserve(timeout=0) == 1


def test_a_half_open_buffer_adds_and_waits_for_half_its_units() -> None:
    capacity = Capacity(2, extra=8)
    capacity.open_buffer(4)

    assert capacity.reserve(timeout=0) == 6
    capacity.release(3)
    assert capacity.reserve(timeout=0) == 0
    capacity.release(1)
    assert capacity.reserve(timeout=0) == 4
    capacity.open_buffer(99)
    assert capacity.free == 4


def test_a_release_wakes_a_waiting_reserve() -> None:
    capacity = Capacity(1)
    assert capacity.reserve(timeout=0) == 1
    got: list[int] = []
    waiter = threading.Thread(target=lambda: got.append(capacity.reserve(timeout=5)))
    waiter.start()
    capacity.release(1)
    waiter.join(timeout=5)

    assert got == [1]


@pytest.mark.parametrize(("total", "extra"), [(0, 0), (1, -1)])
def test_nonsense_sizes_are_refused(total: int, extra: int) -> None:
    with pytest.raises(ValueError):
        Capacity(total, extra)
