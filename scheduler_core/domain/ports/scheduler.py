"""The use cases the scheduler offers to views, the API, the task backend and commands."""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from ..defaults import DEFAULT_MAX_ATTEMPTS, DEFAULT_QUEUE
from ..listing import Page, PageRequest, TaskFilter
from ..queue_rates import QueueRate
from ..records import TaskTransition
from ..status import TaskStatus
from ..task import Task


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitRequest:
    """What a caller asks to run; the service turns it into a validated Task."""

    name: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    queue: str = DEFAULT_QUEUE
    priority: int = 0
    run_after: datetime | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    timeout: float | None = None
    unique_key: str | None = None
    # The new task's id; None draws a fresh one.
    id: UUID | None = None
    # Labels to find the task by (domain/tags.py), after its definition's.
    tags: list[str] = field(default_factory=list)
    # Seconds the result is kept once the task finished; None: until retention.
    result_ttl: int | None = None
    # True for a call people typed (dashboard form, JSON API): the service checks it against
    # the task's signature and annotated types first, and a unique key left out comes from
    # the task's key function. Code's own calls (.enqueue(), schedule firings) skip both:
    # Python bound them, or the schedule's call was checked when it was saved.
    from_input: bool = False


@dataclass(frozen=True, slots=True)
class Submitted:
    """What a submit did: stored a new task, or found the live task holding its unique key."""

    task: Task
    # False: nothing was stored, and `task` is the live holder of the request's unique key.
    created: bool


# Called by submit once the request passed every check, before anything is stored; what it
# raises ends the submit with nothing stored (the web doors' per-user rate limit).
Admit = Callable[[], None]


class Scheduler(ABC):
    """Submit, cancel, retry and inspect tasks."""

    @abstractmethod
    def submit(self, request: SubmitRequest, *, admit: Admit | None = None) -> Submitted:
        """Validate and store a task, or find the live task already holding its unique key."""

    @abstractmethod
    def submit_many(
        self, requests: Sequence[SubmitRequest], *, admit: Admit | None = None
    ) -> list[Task]:
        """Submit several tasks all together: every one is valid and stored, or none is."""

    @abstractmethod
    def check_call(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        """Raise UnknownTask or TaskInvalid unless a typed call fits task `name`'s signature."""

    @abstractmethod
    def cancel(self, task_id: UUID, *, actor: str = "system") -> Task:
        """Cancel a waiting task at once; ask the worker of a running one to stop it."""

    @abstractmethod
    def retry(self, task_id: UUID, *, actor: str = "system") -> Task:
        """Run a failed or cancelled task again."""

    @abstractmethod
    def run_now(self, task_id: UUID, *, actor: str = "system") -> Task:
        """Make a scheduled or backing-off task due at once."""

    @abstractmethod
    def delete(self, task_id: UUID) -> Task:
        """Remove a finished task and its history; InvalidTransition if it is not finished."""

    @abstractmethod
    def pause_queue(self, queue: str) -> bool:
        """Stop workers claiming from `queue`; False if it was paused already."""

    @abstractmethod
    def resume_queue(self, queue: str) -> bool:
        """Let workers claim from `queue` again; False if it was not paused."""

    @abstractmethod
    def paused_queues(self) -> frozenset[str]:
        """The names of the paused queues."""

    @abstractmethod
    def set_queue_limit(self, queue: str, limit: int | None) -> int | None:
        """Let at most `limit` tasks of `queue` run at once across all workers; None lifts it.

        Returns the limit it replaced (None when the queue had none).
        """

    @abstractmethod
    def queue_limits(self) -> dict[str, int]:
        """The limited queues and their concurrency limits."""

    @abstractmethod
    def set_queue_rate(self, queue: str, rate: QueueRate | None) -> QueueRate | None:
        """Let at most `rate` tasks of `queue` start across all workers; None lifts it.

        Returns the rate it replaced (None when the queue had none).
        """

    @abstractmethod
    def queue_rates(self) -> dict[str, QueueRate]:
        """The rated queues and their rates."""

    @abstractmethod
    def status(self, task_id: UUID) -> Task:
        """The task as stored now; TaskNotFound if there is none."""

    @abstractmethod
    def list(self, task_filter: TaskFilter, page: PageRequest) -> Page[Task]:
        """Tasks matching the filter, newest first, a keyset page at a time."""

    @abstractmethod
    def count(self, task_filter: TaskFilter, *, up_to: int | None = None) -> int:
        """How many tasks match the filter, stopping at `up_to` when given."""

    @abstractmethod
    def transitions(self, task_id: UUID) -> builtins.list[TaskTransition]:
        """The task's state transitions, oldest first."""

    @abstractmethod
    def counts(self, queue: str | None = None) -> dict[TaskStatus, int]:
        """How many tasks are in each status."""
