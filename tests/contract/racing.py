"""Helpers for the contract suite's races: threads released together, switching often."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from .kits import StorageKit

# Python lets a thread run 5 ms before switching; far shorter slices make the threads
# interleave inside an adapter's Python code, where an unguarded race would show.
SWITCH_INTERVAL = 1e-6


@pytest.fixture
def switch_threads_often() -> Iterator[None]:
    """Make threads interleave every microsecond for the test's duration."""
    default = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    yield
    sys.setswitchinterval(default)


def run_together[T](
    kit: StorageKit, count: int, work: Callable[[int], T]
) -> list[T | BaseException]:
    """Run `work(i)` on `count` threads released at once; each one's result or exception."""
    gate = threading.Barrier(count)
    outcomes: list[T | BaseException] = [RuntimeError("did not finish")] * count

    def run(i: int) -> None:
        gate.wait()
        try:
            outcomes[i] = work(i)
        except BaseException as error:  # reported to the test, which fails on it
            outcomes[i] = error
        finally:
            kit.end_thread()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return outcomes
