"""Sentinel errors of the scheduler domain: one base class, one subclass per failure."""

from __future__ import annotations


class SchedulerError(Exception):
    """Base class of every error the scheduler domain raises."""


class TaskNotFound(SchedulerError):
    """No task exists with the given id."""


class WorkerNotFound(SchedulerError):
    """No worker exists with the given id."""


class QueueEmpty(SchedulerError):
    """No ready task could be taken from the queue before the timeout."""


class TaskInvalid(SchedulerError):
    """A task's fields break a rule; `field` names the one at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class WorkerInvalid(SchedulerError):
    """A worker's fields break a rule; `field` names the one at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ResultExpired(SchedulerError):
    """The task finished, but its result_ttl ran out and the pruner dropped the result."""


class InvalidTransition(SchedulerError):
    """The requested move is not allowed from the task's current state."""


class StaleTask(SchedulerError):
    """The stored task changed since it was read: a lost lease or a concurrent update."""


class UnknownTask(SchedulerError):
    """The task name is not in the registry, so it can be neither submitted nor run."""


class DuplicateTask(SchedulerError):
    """A task with this id (or a clashing unique key) already exists."""


class ScheduleInvalid(SchedulerError):
    """A schedule's fields break a rule; `field` names the one at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ScheduleNotFound(SchedulerError):
    """No schedule exists with the given name."""


class WorkflowNotFound(SchedulerError):
    """No workflow run has the requested id."""
