"""ManualClock: stands still, moves only when told, and stays consistent across threads."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from scheduler_core.memory import ManualClock
from scheduler_core.memory.clock import DEFAULT_START

from .conftest import T0


def test_it_starts_at_the_given_time_and_stands_still() -> None:
    clock = ManualClock(T0)

    assert clock.now() == T0
    assert clock.now() == T0


def test_the_default_start_is_fixed_and_aware() -> None:
    assert ManualClock().now() == DEFAULT_START
    assert DEFAULT_START.utcoffset() is not None


def test_advance_moves_forward_and_returns_the_new_time() -> None:
    clock = ManualClock(T0)

    assert clock.advance(timedelta(seconds=90)) == T0 + timedelta(seconds=90)
    assert clock.now() == T0 + timedelta(seconds=90)


def test_advance_refuses_to_go_backwards() -> None:
    clock = ManualClock(T0)

    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
    assert clock.now() == T0


def test_set_jumps_either_way() -> None:
    clock = ManualClock(T0)
    later = T0 + timedelta(days=3)

    clock.set(later)
    assert clock.now() == later
    clock.set(T0 - timedelta(days=1))
    assert clock.now() == T0 - timedelta(days=1)


def test_a_non_utc_zone_is_kept() -> None:
    tokyo = datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))

    assert ManualClock(tokyo).now().utcoffset() == timedelta(hours=9)


def test_naive_times_are_refused() -> None:
    naive = datetime(2026, 1, 1)

    with pytest.raises(ValueError, match="naive"):
        ManualClock(naive)
    clock = ManualClock(T0)
    with pytest.raises(ValueError, match="naive"):
        clock.set(naive)
    assert clock.now() == T0


def test_advances_from_many_threads_all_count() -> None:
    clock = ManualClock(T0)

    def tick() -> None:
        for _ in range(1000):
            clock.advance(timedelta(microseconds=1))

    threads = [threading.Thread(target=tick) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert clock.now() == T0 + timedelta(microseconds=8000)
