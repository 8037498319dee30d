"""Workflow runs kept in the database through the Django ORM (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.db import IntegrityError, connections, transaction
from django.db.models import Count

from scheduler_core.domain import DuplicateTask, Task, TaskNotFound, TaskStatus, WorkflowNotFound
from scheduler_core.domain.ports import WorkflowRepository
from scheduler_core.domain.workflow import WorkflowEdge, WorkflowRun
from scheduler_core.models import TaskRecord, WorkflowEdgeRecord, WorkflowRunRecord

from .edge_insert import insert_edges
from .sqlite_locks import retry_when_locked
from .task_repository import DjangoTaskRepository, to_task
from .workflow_status import status_filter


class DjangoWorkflowRepository(WorkflowRepository):
    """Runs in `scheduler_workflow`, edges in `scheduler_workflow_edge`, steps as task rows."""

    def __init__(self, tasks: DjangoTaskRepository) -> None:
        self.tasks = tasks
        self.using = tasks.using

    def add_run(
        self, run: WorkflowRun, steps: Sequence[Task], edges: Sequence[WorkflowEdge]
    ) -> None:
        """Store the run, its steps and edges in one transaction (the caller's, if open)."""

        def insert() -> None:
            with transaction.atomic(using=self.using):
                WorkflowRunRecord.objects.using(self.using).create(
                    id=run.id, name=run.name, created_at=run.created_at
                )
                self.tasks.add_many(steps)
                insert_edges(connections[self.using], edges)

        try:
            retry_when_locked(insert)
        except IntegrityError as error:
            raise DuplicateTask(f"a run or step with the same id exists: {error}") from error

    def get_run(self, run_id: UUID) -> WorkflowRun:
        """The run with this id; WorkflowNotFound if there is none."""
        try:
            row = WorkflowRunRecord.objects.using(self.using).get(id=run_id)
        except WorkflowRunRecord.DoesNotExist:
            raise WorkflowNotFound(f"no workflow run with id {run_id}") from None
        return WorkflowRun(id=row.id, name=row.name, created_at=row.created_at)

    def list_runs(
        self, *, name: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[WorkflowRun]:
        """Up to `limit` runs, newest first, of this name and run status if given."""
        rows = WorkflowRunRecord.objects.using(self.using).order_by("-created_at", "-id")
        if name:
            rows = rows.filter(name=name)
        if status:
            rows = rows.filter(status_filter(self.using, status))
        return [WorkflowRun(id=r.id, name=r.name, created_at=r.created_at) for r in rows[:limit]]

    def step_counts(self, run_ids: Sequence[UUID]) -> dict[UUID, dict[TaskStatus, int]]:
        """How many steps of each run are in each status, in one GROUP BY."""
        counts: dict[UUID, dict[TaskStatus, int]] = {}
        rows = (
            TaskRecord.objects.using(self.using)
            .filter(workflow_id__in=list(run_ids))
            .values_list("workflow_id", "status")
            .annotate(n=Count("id"))
            .order_by()
        )
        for run_id, status, n in rows:
            counts.setdefault(run_id, {})[TaskStatus(status)] = n
        return counts

    def steps(self, run_id: UUID) -> list[Task]:
        """The run's steps, in the order they were enqueued."""
        rows = self.tasks.rows().filter(workflow_id=run_id).order_by("enqueued_at", "id")
        return [to_task(record) for record in rows]

    def edges(self, run_id: UUID) -> list[WorkflowEdge]:
        """The run's edges."""
        rows = WorkflowEdgeRecord.objects.using(self.using).filter(child__workflow_id=run_id)
        return [
            WorkflowEdge(parent_id=parent, child_id=child, ignore_failure=ignore)
            for parent, child, ignore in rows.order_by("id").values_list(
                "parent_id", "child_id", "ignore_failure"
            )
        ]

    def edges_of(self, task_id: UUID) -> list[WorkflowEdge]:
        """The edges into and out of one step (each found by its foreign-key index)."""
        rows = WorkflowEdgeRecord.objects.using(self.using)
        found = rows.filter(parent_id=task_id).union(rows.filter(child_id=task_id), all=True)
        return [
            WorkflowEdge(parent_id=parent, child_id=child, ignore_failure=ignore)
            for parent, child, ignore in found.values_list(
                "parent_id", "child_id", "ignore_failure"
            )
        ]

    def step(self, run_id: UUID, key: str) -> Task:
        """The run's step with this key; TaskNotFound if there is none."""
        record = self.tasks.rows().filter(workflow_id=run_id, step_key=key).first()
        if record is None:
            raise TaskNotFound(f"workflow run {run_id} has no step {key!r}")
        return to_task(record)
