"""Worker commands and cancel lookups held in memory (tests, embedded use)."""

from __future__ import annotations

import threading
from collections.abc import Collection

from scheduler_core.domain import TaskNotFound, TaskStatus
from scheduler_core.domain.ports import Clock, HeldAttempt, TaskRepository, WorkerControl
from scheduler_core.domain.worker_commands import CommandState, WorkerCommand


class InMemoryWorkerControl(WorkerControl):
    """Commands in a dict; `wait` wakes as soon as a command or cancel is asked."""

    def __init__(self, tasks: TaskRepository, clock: Clock) -> None:
        self._tasks = tasks
        self._clock = clock
        self._commands: dict[str, CommandState] = {}
        self._asked = threading.Event()
        self._lock = threading.Lock()

    def ask(self, worker_id: str, command: WorkerCommand, *, actor: str) -> None:
        """Leave the command and wake a waiting worker."""
        with self._lock:
            self._commands[worker_id] = CommandState(
                command=command, asked_by=actor, asked_at=self._clock.now()
            )
        self._asked.set()

    def command_of(self, worker_id: str) -> CommandState | None:
        """The command left for the worker."""
        with self._lock:
            return self._commands.get(worker_id)

    def obeyed(self, worker_id: str, command: WorkerCommand) -> None:
        """Stamp the first moment the worker acted on the command."""
        with self._lock:
            state = self._commands.get(worker_id)
            if state is not None and state.command is command and state.obeyed_at is None:
                self._commands[worker_id] = CommandState(
                    command=command,
                    asked_by=state.asked_by,
                    asked_at=state.asked_at,
                    obeyed_at=self._clock.now(),
                )

    def cancels_among(self, held: Collection[HeldAttempt]) -> set[HeldAttempt]:
        """Held attempts still running whose cancel was requested."""
        found: set[HeldAttempt] = set()
        for task_id, attempt in held:
            try:
                task = self._tasks.get(task_id)
            except TaskNotFound:
                continue
            running = task.status is TaskStatus.RUNNING and task.attempt == attempt
            if running and task.cancel_requested:
                found.add((task_id, attempt))
        return found

    def wait(self, seconds: float) -> bool:
        """Sleep until asked (True) or `seconds` pass (False)."""
        woken = self._asked.wait(seconds)
        self._asked.clear()
        return woken
