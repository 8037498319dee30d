"""Workflow runs: enqueue a graph of steps in one write, read it, cancel it, retry its failures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from ..domain import InvalidTransition, StaleTask, Task, TaskInvalid, TaskStatus, UnknownTask
from ..domain.defaults import DEFAULT_MAX_ATTEMPTS, DEFAULT_QUEUE
from ..domain.ports import (
    Clock,
    Queue,
    SubmitRequest,
    TaskCatalog,
    TaskRepository,
    WorkflowRepository,
)
from ..domain.workflow import (
    RunStatus,
    StepSpec,
    WorkflowEdge,
    WorkflowRun,
    check_steps,
    run_status,
)
from ..domain.workflow_steps import FAILED_FOR_GOOD
from .optimistic import change_task
from .run_view import RunView
from .submission import build_task


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRequest:
    """One step a caller asks for: a registered task, its call, and the steps it comes after."""

    key: str
    task: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    after: tuple[str, ...] = ()
    queue: str = DEFAULT_QUEUE
    priority: int = 0
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    timeout: float | None = None
    ignore_failure_of: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSummary:
    """A run and how many of its steps are in each status; what a list of runs shows."""

    run: WorkflowRun
    counts: dict[TaskStatus, int]

    @property
    def id(self) -> UUID:
        """The run's id."""
        return self.run.id

    @property
    def status(self) -> str:
        """What the steps add up to (RunStatus)."""
        return run_status(list(self.counts))


@dataclass(frozen=True, slots=True, kw_only=True)
class Neighbours:
    """A step's run and the steps next to it, up to a limit each way (and how many in all)."""

    run: WorkflowRun
    parents: list[Task]
    children: list[Task]
    parent_count: int
    child_count: int


@dataclass(frozen=True, slots=True)
class RunActionReport:
    """What an operator action on a whole run did."""

    changed: int
    skipped: int


class WorkflowService:
    """Enqueues and steers workflow runs; settling steps is the storage's, in each outcome."""

    def __init__(
        self,
        *,
        workflows: WorkflowRepository,
        tasks: TaskRepository,
        queue: Queue,
        catalog: TaskCatalog,
        clock: Clock,
    ) -> None:
        self._workflows = workflows
        self._tasks = tasks
        self._queue = queue
        self._catalog = catalog
        self._clock = clock

    def enqueue(self, name: str, steps: Sequence[StepRequest]) -> RunView:
        """Check every step, then store the run in one write; the roots become claimable.

        Nothing is stored when any step is refused (TaskInvalid or UnknownTask naming it).
        Inside the caller's transaction the run commits or rolls back with it.
        """
        check_steps(
            name,
            [
                StepSpec(key=s.key, after=s.after, ignore_failure_of=s.ignore_failure_of)
                for s in steps
            ],
        )
        now = self._clock.now()
        run = WorkflowRun(id=uuid4(), name=name, created_at=now)
        tasks = {step.key: self._build(step, run.id, now) for step in steps}
        edges = [
            WorkflowEdge(
                parent_id=tasks[parent].id,
                child_id=tasks[step.key].id,
                ignore_failure=parent in step.ignore_failure_of,
            )
            for step in steps
            for parent in step.after
        ]
        self._workflows.add_run(run, list(tasks.values()), edges)
        self._queue.enqueue_many([task for task in tasks.values() if task.status.is_waiting])
        return RunView(run=run, steps=list(tasks.values()), edges=edges, status=RunStatus.RUNNING)

    def get(self, run_id: UUID) -> RunView:
        """The run with its steps; WorkflowNotFound if there is none."""
        run = self._workflows.get_run(run_id)
        steps = self._workflows.steps(run_id)
        return RunView(
            run=run,
            steps=steps,
            edges=self._workflows.edges(run_id),
            status=run_status([task.status for task in steps]),
        )

    def list_runs(
        self, *, name: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[RunSummary]:
        """The newest runs (of this name and status, if given) with their steps counted."""
        runs = self._workflows.list_runs(name=name, status=status, limit=limit)
        counts = self._workflows.step_counts([run.id for run in runs])
        return [RunSummary(run=run, counts=counts.get(run.id, {})) for run in runs]

    def neighbours(self, task: Task, *, limit: int = 50) -> Neighbours | None:
        """The run of step `task` and its parents and children; None for a plain task."""
        if task.workflow_id is None:
            return None
        edges = self._workflows.edges_of(task.id)
        parent_ids = [e.parent_id for e in edges if e.child_id == task.id]
        child_ids = [e.child_id for e in edges if e.parent_id == task.id]
        return Neighbours(
            run=self._workflows.get_run(task.workflow_id),
            parents=[self._tasks.get(i) for i in parent_ids[:limit]],
            children=[self._tasks.get(i) for i in child_ids[:limit]],
            parent_count=len(parent_ids),
            child_count=len(child_ids),
        )

    def upstream_result(self, run_id: UUID, key: str) -> Any:
        """The result of the run's succeeded step `key`; InvalidTransition if it has none."""
        step = self._workflows.step(run_id, key)
        if step.status is not TaskStatus.SUCCEEDED:
            raise InvalidTransition(f"step {key!r} is {step.status}, not succeeded")
        return step.result

    def cancel(self, run_id: UUID, *, actor: str = "system") -> RunActionReport:
        """Cancel every step not yet finished; running ones are asked to stop."""
        view = self.get(run_id)
        changed = skipped = 0
        # Lowest steps first, so each is cancelled for the run, not for its cancelled parent.
        for task in reversed(view.parents_first()):
            if task.is_terminal():
                continue
            try:
                change_task(self._tasks, task.id, lambda t: _cancel(t, self._clock.now(), actor))
            except (InvalidTransition, StaleTask):
                skipped += 1
                continue
            changed += 1
        return RunActionReport(changed, skipped)

    def retry_failed(self, run_id: UUID, *, actor: str = "system") -> RunActionReport:
        """Retry every step that failed (or was cancelled itself); the steps below come back."""
        view = self.get(run_id)
        changed = skipped = 0
        for task in view.parents_first():
            if task.status not in FAILED_FOR_GOOD or task.upstream_failed is not None:
                continue
            try:
                retried = change_task(
                    self._tasks, task.id, lambda t: t.retry_now(now=self._clock.now(), actor=actor)
                )
            except (InvalidTransition, StaleTask):
                skipped += 1
                continue
            self._queue.enqueue(retried)
            changed += 1
        return RunActionReport(changed, skipped)

    def _build(self, step: StepRequest, run_id: UUID, now: datetime) -> Task:
        request = SubmitRequest(
            name=step.task,
            args=step.args,
            kwargs=step.kwargs,
            queue=step.queue,
            priority=step.priority,
            max_attempts=step.max_attempts,
            timeout=step.timeout,
        )
        try:
            task = build_task(self._catalog, request, now=now)
            self._catalog.check_call(step.task, step.args, step.kwargs)
        except TaskInvalid as error:
            raise TaskInvalid(f"steps[{step.key!r}].{error.field}", error.message) from error
        except UnknownTask as error:
            raise UnknownTask(f"steps[{step.key!r}]: {error}") from error
        task.hold_for_parents(run_id, step.key, len(step.after))
        return task


def _cancel(task: Task, now: datetime, actor: str) -> None:
    if task.status is TaskStatus.RUNNING:
        task.request_cancel(now=now, actor=actor)
    else:
        task.cancel(now=now, actor=actor)
