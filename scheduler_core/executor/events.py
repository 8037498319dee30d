"""What the supervisor's main loop reacts to; every other thread only posts these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from scheduler_core.domain import Task
from scheduler_core.domain.ports import HeldAttempt
from scheduler_core.domain.progress import Progress
from scheduler_core.domain.worker_commands import WorkerCommand

from .codec import Outcome

if TYPE_CHECKING:
    from .slots import Slot


@dataclass(frozen=True, slots=True)
class Claimed:
    """The fetcher claimed these tasks for free slots."""

    tasks: list[Task]
    # When the claim was sent (time.monotonic): the tasks' leases run from a later moment.
    sent_at: float


@dataclass(frozen=True, slots=True)
class Finished:
    """A slot reports the outcome of the attempt it ran."""

    slot: Slot
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Progressed:
    """A slot's running attempt reported its progress."""

    slot: Slot
    task_id: UUID
    attempt: int
    progress: Progress


@dataclass(frozen=True, slots=True)
class GivenBack:
    """A slot gave back, unbegun, the tasks sent to it from number `first` on (the tasks
    queued behind one that ran long; slot_queue.py)."""

    slot: Slot
    first: int


@dataclass(frozen=True, slots=True)
class Exited:
    """A slot's process ended: recycled after its last task, killed, or crashed."""

    slot: Slot
    exit_code: int | None


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The heartbeat extended our leases; these are the running tasks the store says we hold."""

    # Tasks dispatched before this moment (time.monotonic) must be among `running`.
    asked_at: float
    running: list[Task]


@dataclass(frozen=True, slots=True)
class Fenced:
    """The store says this worker is dead (declared so while it was paused or cut off)."""

    worker_id: str


@dataclass(frozen=True, slots=True)
class Controlled:
    """An operator asked: a command for the worker (None: none new), cancels of held attempts."""

    command: WorkerCommand | None
    cancels: frozenset[HeldAttempt]


Event = Claimed | Finished | GivenBack | Progressed | Exited | Heartbeat | Fenced | Controlled


class EventSink(Protocol):
    """Where a thread posts events for the main loop (the supervisor's Inbox)."""

    def put(self, item: Event, /) -> None:
        """Post one event."""
