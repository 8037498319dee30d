"""The one rule for when a silent worker counts as gone."""

from __future__ import annotations

from datetime import timedelta

from scheduler_core.domain.liveness import heartbeat_interval, silence_allowed


def test_a_worker_is_gone_after_its_lease_and_one_heartbeat_interval() -> None:
    lease = timedelta(seconds=60)

    assert heartbeat_interval(lease) == timedelta(seconds=20)
    assert silence_allowed(lease) == timedelta(seconds=80)
