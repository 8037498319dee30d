"""A supervisor on in-memory services, set up by hand: no threads started, no slot run.

The lease guard's and the held attempts' tests drive the supervisor's bookkeeping
directly, so they share how one is made, how tasks are claimed for it and how a slot is
made to look busy.
"""

from __future__ import annotations

import time
from datetime import timedelta

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.executor.config import WorkerConfig
from scheduler_core.executor.slots import ThreadSlot
from scheduler_core.executor.supervisor import Supervisor


def started_supervisor(
    services: Services, *, lease: timedelta, heartbeat_interval: float
) -> Supervisor:
    """A two-slot supervisor of worker w1, registered and started in the store."""
    config = WorkerConfig(
        concurrency=2,
        pool="thread",
        worker_id="w1",
        lease=lease,
        heartbeat_interval=heartbeat_interval,
    )
    made = Supervisor(config, services)
    services.workers.register(made.worker)
    services.workers.start(made.worker.id)
    return made


def claim(supervisor: Supervisor, services: Services, name: str, count: int) -> list[Task]:
    """Submit `count` tasks of `name` and claim them for the supervisor's worker."""
    for _ in range(count):
        services.tasks.submit(SubmitRequest(name=name))
    claimed = services.workers.claim(supervisor.worker, count, prefetch=count)
    assert len(claimed) == count
    return claimed


def occupy_slot(
    supervisor: Supervisor, task: Task, lease_sent_at: float | None = None
) -> ThreadSlot:
    """A slot that holds `task` as if it ran it (nothing is started).

    Its lease was last sent at `lease_sent_at` (default: now).
    """
    slot = ThreadSlot(supervisor.inbox)
    slot.task = task
    slot.started_at = time.monotonic()
    sent_at = slot.started_at if lease_sent_at is None else lease_sent_at
    slot.renew(sent_at, supervisor.lease_clock.deadline(sent_at))
    supervisor.slots.append(slot)
    return slot


def write_round(supervisor: Supervisor) -> None:
    """Store the endings of the round so far, as the outcome writer does after the round."""
    finished, supervisor.finished = supervisor.finished, []
    supervisor.recorder.record_many(finished)
