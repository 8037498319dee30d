"""The closed set of task states and worker states."""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    """Where a task is in its lifecycle (see docs/state-machine.md)."""

    # A workflow step waiting for the steps it comes after; no worker may claim it.
    BLOCKED = "blocked"
    # Waiting for a run_after that lies in the future.
    SCHEDULED = "scheduled"
    # Due and waiting for a worker to claim it.
    READY = "ready"
    # Claimed by a worker that holds a lease on it.
    RUNNING = "running"
    # Failed an attempt and waits for its backoff to pass before the next one.
    RETRYING = "retrying"
    # Finished without raising; terminal.
    SUCCEEDED = "succeeded"
    # Failed its last allowed attempt (or cannot run at all); terminal.
    FAILED = "failed"
    # Stopped by an operator or by a cancel request; terminal.
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """True for the states a task never leaves on its own."""
        return self in TERMINAL_STATUSES

    @property
    def is_waiting(self) -> bool:
        """True for the states a worker may claim from once the task is due."""
        return self in WAITING_STATUSES


TERMINAL_STATUSES = frozenset({TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED})
WAITING_STATUSES = frozenset({TaskStatus.SCHEDULED, TaskStatus.READY, TaskStatus.RETRYING})


class WorkerState(StrEnum):
    """What a worker process is doing."""

    # Registered, not yet claiming.
    STARTING = "starting"
    # Claiming and running tasks.
    RUNNING = "running"
    # Finishing what it holds; claims nothing new.
    DRAINING = "draining"
    # Exited cleanly, after draining.
    STOPPED = "stopped"
    # Declared dead by another worker's sweep: its heartbeat stopped without a clean exit.
    DEAD = "dead"

    @property
    def has_exited(self) -> bool:
        """True for the states a worker never leaves: stopped or dead."""
        return self in EXITED_WORKER_STATES


EXITED_WORKER_STATES = frozenset({WorkerState.STOPPED, WorkerState.DEAD})
