"""Storage of workflow runs: the run, its steps (tasks) and the edges between them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from uuid import UUID

from ..status import TaskStatus
from ..task import Task
from ..workflow import WorkflowEdge, WorkflowRun


class WorkflowRepository(ABC):
    """Keeps runs; the task repository of the same storage settles their steps.

    Settling is that repository's job, not this one's: a write that ends a step (succeeded,
    failed for good, cancelled) releases or cancels the steps waiting for it in the same
    transaction, and a retry of a failed step re-arms the steps its failure cancelled.
    """

    @abstractmethod
    def add_run(
        self, run: WorkflowRun, steps: Sequence[Task], edges: Sequence[WorkflowEdge]
    ) -> None:
        """Store the run, its steps and edges all together or not at all (DuplicateTask)."""

    @abstractmethod
    def get_run(self, run_id: UUID) -> WorkflowRun:
        """The run with this id; WorkflowNotFound if there is none."""

    @abstractmethod
    def list_runs(
        self, *, name: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[WorkflowRun]:
        """Up to `limit` runs, newest first, of this name and run status (RunStatus) if given."""

    @abstractmethod
    def step_counts(self, run_ids: Sequence[UUID]) -> dict[UUID, dict[TaskStatus, int]]:
        """How many steps of each run are in each status (statuses with none left out)."""

    @abstractmethod
    def steps(self, run_id: UUID) -> list[Task]:
        """The run's steps (empty for an unknown run)."""

    @abstractmethod
    def edges(self, run_id: UUID) -> list[WorkflowEdge]:
        """The run's edges (empty for an unknown run)."""

    @abstractmethod
    def edges_of(self, task_id: UUID) -> list[WorkflowEdge]:
        """The edges into and out of one step (empty for a plain task)."""

    @abstractmethod
    def step(self, run_id: UUID, key: str) -> Task:
        """The run's step with this key; TaskNotFound if there is none."""
