"""The task context of a workflow step: its parents' results, read from where they are stored."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.tasks.base import TaskContext, TaskResult

from .domain import InvalidTransition


class WorkflowTaskContext(TaskContext[Any, Any]):
    """Django's TaskContext, plus `upstream(key)` for a step of a workflow run."""

    workflow_id: UUID | None
    step_key: str | None

    def __init__(
        self,
        *,
        task_result: TaskResult[Any, Any],
        workflow_id: UUID | None = None,
        step_key: str | None = None,
    ) -> None:
        super().__init__(task_result=task_result)
        # TaskContext is a frozen dataclass; set the extra fields as its own __init__ does.
        object.__setattr__(self, "workflow_id", workflow_id)
        object.__setattr__(self, "step_key", step_key)

    def upstream(self, key: str) -> Any:
        """The result of step `key` of this run, which succeeded before this step was released.

        Read by reference from the parent's row, never copied into this step's arguments:
        a 10,000-way fan-in would otherwise carry 10,000 results in every message.
        """
        if self.workflow_id is None:
            raise InvalidTransition("this task is not a workflow step: it has no upstream")
        # Imported here: the context is built in slot processes before Django is ready.
        from .bootstrap import get_services

        return get_services().workflows.upstream_result(self.workflow_id, key)
