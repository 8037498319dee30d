"""Operator controls a running worker reads: its command, and the cancels of what it holds."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from uuid import UUID

from ..worker_commands import CommandState, WorkerCommand

# (task id, attempt): one held attempt, the unit every fenced write names.
type HeldAttempt = tuple[UUID, int]


class WorkerControl(ABC):
    """Where operators leave commands for workers and workers look for them."""

    @abstractmethod
    def ask(self, worker_id: str, command: WorkerCommand, *, actor: str) -> None:
        """Leave `command` for the worker (replacing any earlier one) and wake it if one can."""

    @abstractmethod
    def command_of(self, worker_id: str) -> CommandState | None:
        """The command left for the worker, if any."""

    @abstractmethod
    def obeyed(self, worker_id: str, command: WorkerCommand) -> None:
        """The worker acts on `command` from now on: stamp when (once)."""

    @abstractmethod
    def cancels_among(self, held: Collection[HeldAttempt]) -> set[HeldAttempt]:
        """Those of the held attempts whose task an operator asked to cancel."""

    @abstractmethod
    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when woken early because something was asked."""

    def close(self) -> None:  # noqa: B027 - most adapters hold nothing to let go of.
        """Let go of whatever `wait` holds (a listening connection)."""
