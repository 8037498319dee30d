"""The Worker entity: a process that claims and runs tasks, and proves it lives by heartbeats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from .errors import InvalidTransition, WorkerInvalid
from .queue_names import is_queue_name
from .status import WorkerState

MAX_CONCURRENCY = 1024
MAX_WORKER_ID_LENGTH = 200

# Which states each state may move to. Any live state may stop, or be declared dead when
# its heartbeat goes stale; stopped and dead are final.
_EXIT = {WorkerState.STOPPED, WorkerState.DEAD}
_NEXT_STATES = {
    WorkerState.STARTING: {WorkerState.RUNNING, WorkerState.DRAINING, *_EXIT},
    WorkerState.RUNNING: {WorkerState.DRAINING, *_EXIT},
    WorkerState.DRAINING: _EXIT,
    WorkerState.STOPPED: set(),
    WorkerState.DEAD: set(),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerLoad:
    """What a heartbeat reports besides the beat: attempts the process ran to an end since
    it started (of them, those that raised), and its resident memory with its slots'."""

    processed: int = 0
    failed: int = 0
    rss_bytes: int | None = None


@dataclass(slots=True, kw_only=True)
class Worker:
    """One worker process: where it runs, what it serves, how much it can take."""

    id: str
    hostname: str
    pid: int
    queues: tuple[str, ...]
    concurrency: int
    started_at: datetime
    last_heartbeat: datetime
    state: WorkerState = WorkerState.STARTING
    active_task_ids: set[UUID] = field(default_factory=set)
    # As of the last heartbeat that reported it (nothing before the first).
    load: WorkerLoad = field(default_factory=WorkerLoad)

    def validate(self) -> None:
        """Raise WorkerInvalid naming the first field that breaks a rule."""
        if not isinstance(self.id, str) or not self.id.strip():
            raise WorkerInvalid("id", "must be a non-empty string")
        if len(self.id) > MAX_WORKER_ID_LENGTH:
            raise WorkerInvalid("id", f"must be at most {MAX_WORKER_ID_LENGTH} characters")
        if not isinstance(self.hostname, str) or not self.hostname.strip():
            raise WorkerInvalid("hostname", "must be a non-empty string")
        if isinstance(self.pid, bool) or not isinstance(self.pid, int) or self.pid <= 0:
            raise WorkerInvalid("pid", "must be a positive integer")
        if not self.queues:
            raise WorkerInvalid("queues", "must name at least one queue")
        for queue in self.queues:
            if not is_queue_name(queue):
                raise WorkerInvalid("queues", f"{queue!r} is not a valid queue name")
        if len(set(self.queues)) != len(self.queues):
            raise WorkerInvalid("queues", "names a queue twice")
        if (
            isinstance(self.concurrency, bool)
            or not isinstance(self.concurrency, int)
            or not 1 <= self.concurrency <= MAX_CONCURRENCY
        ):
            raise WorkerInvalid("concurrency", f"must be an integer in 1..{MAX_CONCURRENCY}")
        for name in ("started_at", "last_heartbeat"):
            moment = getattr(self, name)
            if not isinstance(moment, datetime) or moment.utcoffset() is None:
                raise WorkerInvalid(name, "must be a timezone-aware datetime")

    def free_slots(self) -> int:
        """How many more tasks the worker may claim now (none unless it is running)."""
        if self.state is not WorkerState.RUNNING:
            return 0
        return max(0, self.concurrency - len(self.active_task_ids))

    def has_capacity(self) -> bool:
        """True when the worker runs and has a free slot."""
        return self.free_slots() > 0

    def is_alive(self, now: datetime, ttl: timedelta) -> bool:
        """True unless the worker exited or has not beaten its heart within `ttl`."""
        return not self.state.has_exited and now - self.last_heartbeat <= ttl

    def heartbeat(self, now: datetime, load: WorkerLoad | None = None) -> None:
        """Record a sign of life (and the load it reports); a stopped or dead worker cannot
        come back."""
        if self.state.has_exited:
            raise InvalidTransition(f"worker {self.id} has {self.state.value}")
        self.last_heartbeat = now
        if load is not None:
            self.load = load

    def move_to(self, state: WorkerState) -> None:
        """Change state along starting -> running -> draining -> stopped (or dead)."""
        if state is self.state:
            return
        if state not in _NEXT_STATES[self.state]:
            raise InvalidTransition(f"worker cannot go from {self.state} to {state}")
        self.state = state
