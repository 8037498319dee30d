"""In-memory storage on a ManualClock, and tasks timed against that clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scheduler_core.domain import Task
from scheduler_core.memory import InMemoryStorage, ManualClock

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)


@pytest.fixture
def clock() -> ManualClock:
    """A clock standing at T0 until a test moves it."""
    return ManualClock(T0)


@pytest.fixture
def storage(clock: ManualClock) -> InMemoryStorage:
    """Fresh in-memory storage on the manual clock."""
    return InMemoryStorage.create(clock=clock, task_names=["tests.noop"])


def make_task(clock: ManualClock, *, delay: timedelta = timedelta(0), **fields: Any) -> Task:
    """A valid task enqueued now and due after `delay` (due at once by default)."""
    now = clock.now()
    return Task.create("tests.noop", now=now, run_after=now + delay, **fields)
