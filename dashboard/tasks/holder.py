"""What a task's page says when the worker holding it is dead, stopped or silent.

Such a task stays running until its lease ends and a maintenance pass rescues it; the page
tells the operator so, and what the rescue will make of it.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler_core.domain import (
    InvalidTransition,
    RetryPolicy,
    Task,
    TaskStatus,
    Worker,
    WorkerNotFound,
)
from scheduler_core.services import WorkerService

from ..workers.health import shown_state

# Worker states (as shown_state words them) in which nobody renews the task's lease.
GONE_STATES = frozenset({"dead", "stopped", "stale"})
# A worker id the task names but the worker table no longer holds (removed by hand).
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class HolderNotice:
    """The gone worker that holds a running task, and the task's way back."""

    worker_id: str
    # "dead", "stopped", "stale" or "unknown".
    state: str
    last_heartbeat: datetime | None
    now: datetime
    # How long a silent worker still counts as alive.
    stale_after: timedelta
    lease_expires_at: datetime | None
    # What the rescue will make of the task: retrying, failed or cancelled; None if no rescue
    # will take it (a running row without a lease end).
    outcome: TaskStatus | None
    # Attempts the task still has after the one its worker lost.
    attempts_left: int

    @property
    def silent_for(self) -> timedelta | None:
        """How long since the worker's last heartbeat, by the database clock."""
        if self.last_heartbeat is None:
            return None
        return max(timedelta(0), self.now - self.last_heartbeat)


def holder_notice(
    task: Task, workers: WorkerService, now: datetime, stale_after: timedelta
) -> HolderNotice | None:
    """The notice for a running task whose worker is gone; None for any other task."""
    if task.status is not TaskStatus.RUNNING or not task.worker_id:
        return None
    worker: Worker | None
    try:
        worker = workers.get_worker(task.worker_id)
    except WorkerNotFound:
        worker = None
    state = UNKNOWN if worker is None else shown_state(worker, now, stale_after)
    if state not in GONE_STATES | {UNKNOWN}:
        return None
    return HolderNotice(
        worker_id=task.worker_id,
        state=state,
        last_heartbeat=None if worker is None else worker.last_heartbeat,
        now=now,
        stale_after=stale_after,
        lease_expires_at=task.lease_expires_at,
        outcome=rescue_outcome(task),
        attempts_left=max(0, task.max_attempts - task.attempt),
    )


def rescue_outcome(task: Task) -> TaskStatus | None:
    """The status the rescuer will leave the task in once its lease has ended.

    Task.rescue itself decides, on a copy at the lease's end, so the page cannot disagree
    with the rescuer (cancel requested, attempts left) however that rule changes. The
    policy and randomness only set the retry's backoff, which this does not report.
    """
    if task.lease_expires_at is None:
        return None
    trial = copy.deepcopy(task)
    try:
        trial.rescue(now=task.lease_expires_at, policy=RetryPolicy(), rng=random.Random(0))
    except InvalidTransition:
        return None
    return trial.status
