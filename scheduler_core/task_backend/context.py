"""The task context: progress reports, and a workflow step's parents' results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.tasks.base import TaskContext, TaskResult

from scheduler_core.domain import InvalidTransition

if TYPE_CHECKING:
    from scheduler_core.executor.progress_report import ProgressReporter


class WorkflowTaskContext(TaskContext[Any, Any]):
    """Django's TaskContext, plus `progress(...)`, and `upstream(key)` for a workflow step."""

    workflow_id: UUID | None
    step_key: str | None
    reporter: ProgressReporter | None

    def __init__(
        self,
        *,
        task_result: TaskResult[Any, Any],
        workflow_id: UUID | None = None,
        step_key: str | None = None,
        reporter: ProgressReporter | None = None,
    ) -> None:
        super().__init__(task_result=task_result)
        # TaskContext is a frozen dataclass; set the extra fields as its own __init__ does.
        object.__setattr__(self, "workflow_id", workflow_id)
        object.__setattr__(self, "step_key", step_key)
        object.__setattr__(self, "reporter", reporter)

    def progress(self, done: float, total: float | None = None, message: str = "") -> None:
        """Report how far the task has come: `done` of `total` (None: unknown), and a message.

        Call it as often as you like: the worker stores the latest report about once a
        second (docs/tasks.md). Outside a worker (a direct call) it does nothing.
        """
        if self.reporter is not None:
            self.reporter.report(done, total, message)

    def upstream(self, key: str) -> Any:
        """The result of step `key` of this run, which succeeded before this step was released.

        Read by reference from the parent's row, never copied into this step's arguments:
        a 10,000-way fan-in would otherwise carry 10,000 results in every message.
        """
        if self.workflow_id is None:
            raise InvalidTransition("this task is not a workflow step: it has no upstream")
        # Imported here: the context is built in slot processes before Django is ready.
        from scheduler_core.bootstrap import get_services

        return get_services().workflows.upstream_result(self.workflow_id, key)
