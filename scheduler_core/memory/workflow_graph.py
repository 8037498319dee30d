"""The edges of in-memory workflow runs, and settling them as the database adapter does."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

from scheduler_core.domain import Task, TaskStatus
from scheduler_core.domain.workflow import WorkflowEdge, WorkflowRun
from scheduler_core.domain.workflow_rearm import StepState, plan_rearm
from scheduler_core.domain.workflow_steps import FAILED_FOR_GOOD

Store = Callable[[Task], None]


class InMemoryWorkflowGraph:
    """Runs and edges; not thread-safe on its own: the task repository's lock guards it."""

    def __init__(self) -> None:
        self.runs: dict[UUID, WorkflowRun] = {}
        self.edges: dict[UUID, list[WorkflowEdge]] = {}
        self._out: dict[UUID, list[WorkflowEdge]] = defaultdict(list)
        # (parent, child) pairs whose parent's outcome has been counted: the edge's marker.
        self._resolved: set[tuple[UUID, UUID]] = set()

    def add(self, run: WorkflowRun, edges: Sequence[WorkflowEdge]) -> None:
        """Keep a run and its edges."""
        self.runs[run.id] = run
        self.edges[run.id] = list(edges)
        for edge in edges:
            self._out[edge.parent_id].append(edge)

    def settle(self, ended: Task, tasks: Mapping[UUID, Task], store: Store, now: datetime) -> None:
        """Count the ended step's outcome toward its children, and cascade failures down."""
        good = [ended.id] if ended.status is TaskStatus.SUCCEEDED else []
        bad = {ended.id: ended.step_key or str(ended.id)} if ended.status in FAILED_FOR_GOOD else {}
        while good or bad:
            next_bad: dict[UUID, str] = {}
            for parent_id in [*good, *bad]:
                for edge in self._out.get(parent_id, ()):
                    if (parent_id, edge.child_id) in self._resolved:
                        continue
                    self._resolved.add((parent_id, edge.child_id))
                    child = copy.deepcopy(tasks[edge.child_id])
                    if child.status is not TaskStatus.BLOCKED:
                        continue
                    if parent_id in bad and not edge.ignore_failure:
                        child.cancel_upstream(bad[parent_id], now=now)
                        next_bad[child.id] = bad[parent_id]
                    elif child.parents_left <= 1:
                        child.release(now=now)
                    else:
                        child.parents_left -= 1
                    store(child)
            good, bad = [], next_bad

    def rearm(self, retried: Task, tasks: Mapping[UUID, Task], store: Store, now: datetime) -> None:
        """Bring back the steps `retried`'s failure cancelled, and on down."""
        assert retried.workflow_id is not None
        edges = self.edges.get(retried.workflow_id, [])
        states = {
            task_id: StepState(task.status, task.upstream_failed)
            for task_id, task in tasks.items()
            if task.workflow_id == retried.workflow_id
        }
        for child_id, parents in sorted(plan_rearm(retried.id, edges, states).items()):
            child = copy.deepcopy(tasks[child_id])
            child.rearm(parents=len(parents), now=now)
            for parent_id in parents:
                self._resolved.discard((parent_id, child_id))
            store(child)
