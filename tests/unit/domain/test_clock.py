"""The system clock, the one port the domain implements itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler_core.domain.ports import Clock, SystemClock


def test_system_clock_tells_aware_utc_time() -> None:
    clock: Clock = SystemClock()

    before = datetime.now(UTC)
    now = clock.now()
    after = datetime.now(UTC)

    assert now.utcoffset() == timedelta(0)
    assert before <= now <= after
