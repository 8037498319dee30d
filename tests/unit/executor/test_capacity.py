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


def test_open_buffer_adds_its_units_and_claims_once_a_quarter_of_it_is_free() -> None:
    capacity = Capacity(4, extra=16)
    capacity.open_buffer(16)

    assert capacity.reserve(timeout=0) == 20
    capacity.release(3)
    # Three free is less than a quarter of the buffer: the slots still have plenty in hand.
    assert capacity.reserve(timeout=0) == 0
    capacity.release(1)
    assert capacity.reserve(timeout=0) == 4
    # A claim takes every free unit, not just the quarter.
    capacity.release(9)
    assert capacity.reserve(timeout=0) == 9


def test_a_small_open_buffer_still_claims_in_batches_rounded_up() -> None:
    capacity = Capacity(2, extra=5)
    capacity.open_buffer(5)

    assert capacity.reserve(timeout=0) == 7
    capacity.release(1)
    # A quarter of 5, rounded up, is 2.
    assert capacity.reserve(timeout=0) == 0
    capacity.release(1)
    assert capacity.reserve(timeout=0) == 2


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


def test_a_partly_open_buffer_adds_and_waits_for_a_quarter_of_what_is_open() -> None:
    capacity = Capacity(2, extra=32)
    capacity.open_buffer(8)

    assert capacity.reserve(timeout=0) == 10
    capacity.release(1)
    assert capacity.reserve(timeout=0) == 0
    capacity.release(1)
    assert capacity.reserve(timeout=0) == 2
    capacity.open_buffer(99)
    assert capacity.free == 24


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
