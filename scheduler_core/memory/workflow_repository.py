"""Workflow runs held in memory, beside the tasks that are their steps."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from uuid import UUID

from scheduler_core.domain import DuplicateTask, Task, TaskNotFound, TaskStatus, WorkflowNotFound
from scheduler_core.domain.ports import WorkflowRepository
from scheduler_core.domain.workflow import WorkflowEdge, WorkflowRun, run_status

from .task_repository import InMemoryTaskRepository


class InMemoryWorkflowRepository(WorkflowRepository):
    """Runs and edges in the task repository's graph, under its lock."""

    def __init__(self, tasks: InMemoryTaskRepository) -> None:
        self._tasks = tasks

    def add_run(
        self, run: WorkflowRun, steps: Sequence[Task], edges: Sequence[WorkflowEdge]
    ) -> None:
        """Store the run, its steps and edges all together or not at all."""
        with self._tasks.condition:
            if run.id in self._tasks.graph.runs:
                raise DuplicateTask(f"a workflow run with id {run.id} exists")
            self._tasks.add_many(steps)
            self._tasks.graph.add(copy.copy(run), edges)

    def get_run(self, run_id: UUID) -> WorkflowRun:
        """The run with this id; WorkflowNotFound if there is none."""
        with self._tasks.condition:
            try:
                return copy.copy(self._tasks.graph.runs[run_id])
            except KeyError:
                raise WorkflowNotFound(f"no workflow run with id {run_id}") from None

    def list_runs(
        self, *, name: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[WorkflowRun]:
        """Up to `limit` runs, newest first, of this name and run status if given."""
        with self._tasks.condition:
            runs = [r for r in self._tasks.graph.runs.values() if not name or r.name == name]
        runs.sort(key=lambda run: (run.created_at, run.id), reverse=True)
        if status:
            counts = self.step_counts([run.id for run in runs])
            runs = [run for run in runs if run_status(list(counts.get(run.id, {}))) == status]
        return [copy.copy(run) for run in runs[:limit]]

    def step_counts(self, run_ids: Sequence[UUID]) -> dict[UUID, dict[TaskStatus, int]]:
        """How many steps of each run are in each status."""
        wanted = set(run_ids)
        counts: dict[UUID, dict[TaskStatus, int]] = {}
        for task in self._tasks.find_steps_of(wanted):
            assert task.workflow_id is not None
            by_status = counts.setdefault(task.workflow_id, {})
            by_status[task.status] = by_status.get(task.status, 0) + 1
        return counts

    def steps(self, run_id: UUID) -> list[Task]:
        """The run's steps, in the order they were enqueued."""
        steps = self._tasks.find_steps(run_id)
        return sorted(steps, key=lambda task: (task.enqueued_at, task.id))

    def edges(self, run_id: UUID) -> list[WorkflowEdge]:
        """The run's edges."""
        with self._tasks.condition:
            return list(self._tasks.graph.edges.get(run_id, ()))

    def edges_of(self, task_id: UUID) -> list[WorkflowEdge]:
        """The edges into and out of one step."""
        with self._tasks.condition:
            return [
                edge
                for edges in self._tasks.graph.edges.values()
                for edge in edges
                if task_id in (edge.parent_id, edge.child_id)
            ]

    def step(self, run_id: UUID, key: str) -> Task:
        """The run's step with this key; TaskNotFound if there is none."""
        for task in self._tasks.find_steps(run_id):
            if task.step_key == key:
                return task
        raise TaskNotFound(f"workflow run {run_id} has no step {key!r}")
