"""A workflow run as read back: its steps, its edges, and the questions pages ask of them."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ..domain import Task
from ..domain.workflow import WorkflowEdge, WorkflowRun


@dataclass(frozen=True, slots=True, kw_only=True)
class RunView:
    """A run with its steps (keyed by step key), its edges and the status they add up to."""

    run: WorkflowRun
    steps: list[Task]
    edges: list[WorkflowEdge]
    status: str

    @property
    def id(self) -> UUID:
        """The run's id."""
        return self.run.id

    def step(self, key: str) -> Task:
        """The step with this key (KeyError if there is none)."""
        for task in self.steps:
            if task.step_key == key:
                return task
        raise KeyError(key)

    def parents_of(self, task_id: UUID) -> list[Task]:
        """The steps this one waits for."""
        by_id = {task.id: task for task in self.steps}
        return [by_id[e.parent_id] for e in self.edges if e.child_id == task_id]

    def parents_by_child(self) -> dict[UUID, list[Task]]:
        """The steps each step waits for, by its id (steps with none left out), in one pass."""
        by_id = {task.id: task for task in self.steps}
        parents: dict[UUID, list[Task]] = {}
        for edge in self.edges:
            parents.setdefault(edge.child_id, []).append(by_id[edge.parent_id])
        return parents

    def children_of(self, task_id: UUID) -> list[Task]:
        """The steps that wait for this one."""
        by_id = {task.id: task for task in self.steps}
        return [by_id[e.child_id] for e in self.edges if e.parent_id == task_id]

    def counts(self) -> dict[str, int]:
        """How many steps are in each status (statuses with none left out)."""
        counts: dict[str, int] = {}
        for task in self.steps:
            counts[task.status.value] = counts.get(task.status.value, 0) + 1
        return counts

    def parents_first(self) -> list[Task]:
        """The run's steps, every step after the steps it waits for."""
        by_id = {task.id: task for task in self.steps}
        parents: dict[UUID, list[UUID]] = {task.id: [] for task in self.steps}
        for edge in self.edges:
            parents[edge.child_id].append(edge.parent_id)
        ordered: list[Task] = []
        seen: set[UUID] = set()
        # Depth-first with an explicit stack: a 10,000-step chain must not recurse in Python.
        for task in self.steps:
            stack = [(task.id, False)]
            while stack:
                current, expanded = stack.pop()
                if expanded:
                    ordered.append(by_id[current])
                    continue
                if current in seen:
                    continue
                seen.add(current)
                stack.append((current, True))
                stack.extend((p, False) for p in parents[current] if p not in seen)
        return ordered

    def is_finished(self) -> bool:
        """True once every step reached a terminal status."""
        return all(task.status.is_terminal for task in self.steps)
