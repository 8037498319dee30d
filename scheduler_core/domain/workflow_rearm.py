"""Which steps a retried step brings back: those cancelled because of it, and so on down."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from .status import TaskStatus
from .workflow import WorkflowEdge

FAILED_FOR_GOOD = frozenset({TaskStatus.FAILED, TaskStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class StepState:
    """What re-arming needs to know of a step: its status, and whether upstream cancelled it."""

    status: TaskStatus
    upstream_failed: str | None = None

    @property
    def cancelled_upstream(self) -> bool:
        """True for a step cancelled because a step it waits for failed."""
        return self.status is TaskStatus.CANCELLED and self.upstream_failed is not None


def plan_rearm(
    retried: UUID, edges: Sequence[WorkflowEdge], steps: Mapping[UUID, StepState]
) -> dict[UUID, list[UUID]]:
    """For each step to re-arm, the parents it waits for again (their edges become unresolved).

    A step comes back when it was cancelled upstream, hangs below `retried` through such
    steps, and no other parent of it failed for good (one that did still cancels it).
    Parents that are still running or waiting are not listed: their edges were never
    resolved, and their own outcome will count as usual.
    """
    children: dict[UUID, list[WorkflowEdge]] = defaultdict(list)
    parents: dict[UUID, list[WorkflowEdge]] = defaultdict(list)
    for edge in edges:
        children[edge.parent_id].append(edge)
        parents[edge.child_id].append(edge)
    reopen: set[UUID] = set()
    stack = [retried]
    while stack:
        for edge in children[stack.pop()]:
            if edge.child_id not in reopen and steps[edge.child_id].cancelled_upstream:
                reopen.add(edge.child_id)
                stack.append(edge.child_id)
    coming_back = reopen | {retried}
    changed = True
    while changed:
        changed = False
        for child_id in sorted(reopen):
            if any(
                edge.parent_id not in coming_back
                and steps[edge.parent_id].status in FAILED_FOR_GOOD
                and not edge.ignore_failure
                for edge in parents[child_id]
            ):
                reopen.discard(child_id)
                coming_back.discard(child_id)
                changed = True
    return {
        child_id: [
            edge.parent_id
            for edge in parents[child_id]
            if edge.parent_id in coming_back or not steps[edge.parent_id].status.is_terminal
        ]
        for child_id in reopen
    }
