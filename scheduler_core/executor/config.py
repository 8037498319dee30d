"""How one worker process is set up: identity, queues, pool and timings."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from scheduler_core.domain.defaults import DEFAULT_LEASE

Pool = Literal["process", "thread"]


def default_worker_id(hostname: str) -> str:
    """hostname-pid-random: unique per process, readable in the dashboard."""
    return f"{hostname}-{os.getpid()}-{secrets.token_hex(2)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerConfig:
    """Everything `runworkers` decides before the supervisor starts."""

    queues: tuple[str, ...] = ("default",)
    concurrency: int = 4
    pool: Pool = "process"
    # A slot process exits after this many tasks and is replaced (None: never), which
    # returns memory that leaky task code holds on to.
    max_tasks_per_child: int | None = None
    # How long a first SIGTERM/SIGINT waits for running tasks before releasing them.
    shutdown_timeout: float = 30.0
    hostname: str = field(default_factory=socket.gethostname)
    worker_id: str = ""
    lease: timedelta = DEFAULT_LEASE
    # A third of the lease: two heartbeats may fail before the lease runs out.
    heartbeat_interval: float = DEFAULT_LEASE.total_seconds() / 3
    # How often rescue, promotion and stale-worker checks run.
    maintenance_interval: float = 5.0
    # Claimed tasks a worker may hold beyond its slots, only while its tasks are short, and
    # only as many as make a quarter of a second of work per slot (buffer_sizing.py): the
    # whole buffer for tasks under 8 ms. None: 32 per slot; 0: never claim more than the
    # free slots.
    prefetch: int | None = None
    # How long the fetcher waits for a wake-up before claiming again.
    idle_wait: float = 1.0
    # The DATABASES alias of the scheduler's tables, so a round's outcomes share one
    # transaction; None when the storage is not a database.
    database: str | None = None

    def __post_init__(self) -> None:
        if not self.worker_id:
            object.__setattr__(self, "worker_id", default_worker_id(self.hostname))
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.prefetch is not None and self.prefetch < 0:
            raise ValueError("prefetch must not be negative")
        if not self.queues:
            raise ValueError("name at least one queue")
        if self.max_tasks_per_child is not None and self.max_tasks_per_child < 1:
            raise ValueError("max_tasks_per_child must be at least 1")
        if self.shutdown_timeout < 0:
            raise ValueError("shutdown_timeout must not be negative")
        if self.heartbeat_interval >= self.lease.total_seconds():
            raise ValueError("heartbeat_interval must be shorter than the lease")

    @property
    def buffer(self) -> int:
        """How many claimed tasks the worker may hold beyond its slots."""
        # 32 per slot, claimed a quarter at a time (capacity.CLAIM_EVERY): on 4 slots, claims
        # of 32 while 96 more wait, which drained no-ops half as fast again as claims of 32
        # with at most 4 in hand (statements and trigger runs per claim are fixed).
        return 32 * self.concurrency if self.prefetch is None else self.prefetch
