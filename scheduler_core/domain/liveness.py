"""When a silent worker counts as gone: one rule for the sweep, the pages, /readyz, /metrics.

A worker beats its heart every third of its lease. It is gone once it has been silent for
its lease and one heartbeat interval more: by then every lease it held has run out and its
next beat is overdue. The maintenance sweep declares it dead at that moment, and every page
and probe calls it stale from the same moment, so no two of them disagree about a worker.
"""

from __future__ import annotations

from datetime import timedelta

# Heartbeats per lease: a worker extends its leases this many times before one runs out.
HEARTBEATS_PER_LEASE = 3


def heartbeat_interval(lease: timedelta) -> timedelta:
    """How often a worker holding leases of `lease` beats its heart."""
    return lease / HEARTBEATS_PER_LEASE


def silence_allowed(lease: timedelta) -> timedelta:
    """How long a worker may be silent before it counts as gone (stale, then dead)."""
    return lease + heartbeat_interval(lease)
