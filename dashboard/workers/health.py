"""How a worker looks to an operator: its state, or "stale" when its heartbeats stopped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scheduler_core.conf import scheduler_conf
from scheduler_core.domain import Worker, WorkerState
from scheduler_core.queries import HeldTask

# Stopped workers whose last heartbeat is older than this are hidden unless asked for.
RECENTLY_STOPPED = timedelta(hours=1)


def stale_after() -> timedelta:
    """How long a silent worker counts as alive: the maintenance sweep's own threshold
    (scheduler_core/domain/liveness.py), on the configured lease."""
    return scheduler_conf().stale_after


def shown_state(worker: Worker, now: datetime, ttl: timedelta) -> str:
    """The worker's state, except "stale" for a live one whose heartbeat is older than `ttl`.

    Stale is what a dead worker looks like until a sweep of the maintenance pass declares it
    dead (within one maintenance interval).
    """
    if not worker.state.has_exited and not worker.is_alive(now, ttl):
        return "stale"
    return worker.state.value


@dataclass(frozen=True, slots=True)
class WorkerRow:
    """A worker with what the page shows about it."""

    worker: Worker
    state: str
    uptime: timedelta
    held: list[HeldTask] = field(default_factory=list)

    @property
    def busy(self) -> int:
        """Slots in use: the running tasks it holds."""
        return len(self.held)


def worker_row(worker: Worker, held: list[HeldTask], now: datetime, ttl: timedelta) -> WorkerRow:
    """The row of one worker at `now`; a stopped worker's uptime ends at its last heartbeat."""
    end = worker.last_heartbeat if worker.state.has_exited else now
    uptime = max(timedelta(0), end - worker.started_at)
    return WorkerRow(worker, shown_state(worker, now, ttl), uptime, held)


def is_shown(row: WorkerRow, now: datetime, show: str) -> bool:
    """Whether the list shows the worker: "all", "live" (no stopped), "dead" or "recent".

    "dead" is the overview's count: declared dead, last heartbeat within RECENTLY_STOPPED.
    """
    if show == "dead":
        recent = now - row.worker.last_heartbeat <= RECENTLY_STOPPED
        return row.worker.state is WorkerState.DEAD and recent
    if not row.worker.state.has_exited or show == "all":
        return True
    if show == "live":
        return False
    return now - row.worker.last_heartbeat <= RECENTLY_STOPPED
